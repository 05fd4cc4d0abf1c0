package io.dbops.controlplane.console.auth;

import io.dbops.controlplane.identity.ConsoleSessions;
import io.javalin.http.Context;

/**
 * Writes the {@code dbops_session} cookie: {@code Path=/; HttpOnly; SameSite=Strict}, plus
 * {@code Secure} when the control plane serves TLS or {@code DBOPS_CONSOLE_SECURE_COOKIES=true}.
 * No {@code Max-Age}: the browser drops it when it closes, the server ends it at its lifetime.
 */
final class SessionCookie {
  private final boolean secure;

  SessionCookie(boolean secure) {
    this.secure = secure;
  }

  void set(Context ctx, String sessionId) {
    ctx.res().addHeader("Set-Cookie", ConsoleSessions.COOKIE + "=" + sessionId + attributes());
  }

  void clear(Context ctx) {
    ctx.res().addHeader("Set-Cookie", ConsoleSessions.COOKIE + "=; Max-Age=0" + attributes());
  }

  private String attributes() {
    return "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }

  boolean secure() {
    return secure;
  }
}
