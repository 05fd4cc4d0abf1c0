package io.dbops.controlplane.notifications;

import io.dbops.config.EnvReader;
import java.time.Duration;
import java.util.List;

/**
 * Settings of webhooks and notifications (docs/fleet-triggers.md, control-plane/README.md).
 *
 * @param webhookMaxBodyBytes largest webhook body read ({@code DBOPS_WEBHOOK_MAX_BODY_BYTES})
 * @param allowHosts hosts notifications may go to ({@code DBOPS_NOTIFY_ALLOW_HOSTS}; empty: none)
 * @param maxAge a delivery not made within this long after its event is given up
 *     ({@code DBOPS_NOTIFY_MAX_AGE_SECONDS})
 * @param retryBase first retry delay, doubled per attempt with full jitter
 *     ({@code DBOPS_NOTIFY_RETRY_BASE_MILLIS})
 * @param retryCap longest retry delay ({@code DBOPS_NOTIFY_RETRY_MAX_SECONDS})
 * @param poll how often the sender looks for due deliveries besides being woken
 *     ({@code DBOPS_NOTIFY_POLL_MILLIS})
 * @param timeout connect and response timeout of one delivery ({@code DBOPS_NOTIFY_TIMEOUT_SECONDS})
 */
public record TriggerSettings(int webhookMaxBodyBytes, HostRule allowHosts, Duration maxAge,
    Duration retryBase, Duration retryCap, Duration poll, Duration timeout) {
  public static final TriggerSettings DEFAULT = new TriggerSettings(1 << 20, HostRule.of(List.of()),
      Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(1),
      Duration.ofSeconds(10));

  public TriggerSettings {
    if (retryBase.isZero() || retryBase.isNegative() || retryCap.compareTo(retryBase) < 0) {
      throw new IllegalArgumentException("notification retries need 0 < base <= cap");
    }
  }

  /** With other allowed hosts (tests). */
  public TriggerSettings withAllowHosts(List<String> hosts) {
    return new TriggerSettings(webhookMaxBodyBytes, HostRule.of(hosts), maxAge, retryBase,
        retryCap, poll, timeout);
  }

  /** With other retry timings (tests). */
  public TriggerSettings withRetries(Duration base, Duration cap, Duration poll, Duration maxAge) {
    return new TriggerSettings(webhookMaxBodyBytes, allowHosts, maxAge, base, cap, poll, timeout);
  }

  /** Reads the variables above; problems go to the reader's list. */
  public static TriggerSettings fromEnvironment(EnvReader r) {
    List<HostRule.Entry> entries = r.list("DBOPS_NOTIFY_ALLOW_HOSTS", HostRule::entry);
    Duration base = Duration.ofMillis(r.number("DBOPS_NOTIFY_RETRY_BASE_MILLIS", 1000, 10,
        3_600_000));
    Duration cap = Duration.ofSeconds(r.number("DBOPS_NOTIFY_RETRY_MAX_SECONDS", 300, 1, 86_400));
    return new TriggerSettings(
        r.integer("DBOPS_WEBHOOK_MAX_BODY_BYTES", 1 << 20, 1024, 25 << 20),
        new HostRule(entries),
        Duration.ofSeconds(r.number("DBOPS_NOTIFY_MAX_AGE_SECONDS", 86_400, 60, 30L * 86_400)),
        base, cap.compareTo(base) < 0 ? base : cap,
        Duration.ofMillis(r.number("DBOPS_NOTIFY_POLL_MILLIS", 1000, 10, 60_000)),
        Duration.ofSeconds(r.number("DBOPS_NOTIFY_TIMEOUT_SECONDS", 10, 1, 300)));
  }
}
