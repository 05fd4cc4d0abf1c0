package io.dbops.controlplane.config;

import io.dbops.config.EnvReader;
import java.time.Duration;

/**
 * Console sign-in (docs/console-auth.md).
 *
 * @param sessionLifetime a console session ends this long after sign-in at the latest
 *     ({@code DBOPS_CONSOLE_SESSION_HOURS}, default 12)
 * @param sessionIdle a session unused this long ends ({@code DBOPS_CONSOLE_SESSION_IDLE_MINUTES},
 *     default 60)
 * @param secureCookies mark the session cookie {@code Secure} even without TLS of its own (TLS
 *     ends at a proxy) ({@code DBOPS_CONSOLE_SECURE_COOKIES}, default false; always on with TLS)
 * @param oidc sign-in with an OpenID provider; null: token sign-in only
 */
public record ConsoleAuthSettings(Duration sessionLifetime, Duration sessionIdle,
    boolean secureCookies, OidcSettings oidc) {
  public static final ConsoleAuthSettings DEFAULT = new ConsoleAuthSettings(Duration.ofHours(12),
      Duration.ofMinutes(60), false, null);

  public ConsoleAuthSettings {
    if (sessionLifetime == null || sessionLifetime.isNegative() || sessionLifetime.isZero()
        || sessionIdle == null || sessionIdle.isNegative() || sessionIdle.isZero()) {
      throw new IllegalArgumentException("session lifetime and idle limit must be positive");
    }
  }

  /** The same settings with OIDC sign-in. */
  public ConsoleAuthSettings withOidc(OidcSettings settings) {
    return new ConsoleAuthSettings(sessionLifetime, sessionIdle, secureCookies, settings);
  }

  static ConsoleAuthSettings fromEnvironment(EnvReader r) {
    return new ConsoleAuthSettings(
        Duration.ofHours(r.integer("DBOPS_CONSOLE_SESSION_HOURS", 12, 1, 24 * 30)),
        Duration.ofMinutes(r.integer("DBOPS_CONSOLE_SESSION_IDLE_MINUTES", 60, 1, 60 * 24 * 30)),
        r.bool("DBOPS_CONSOLE_SECURE_COOKIES", false), OidcSettings.fromEnvironment(r));
  }
}
