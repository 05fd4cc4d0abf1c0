package io.dbops.controlplane.config;

import java.time.Duration;

/**
 * How repeated authentication failures are slowed down: once one client address has
 * {@code failureLimit} failed API authentications within {@code failureWindow}, its further
 * failures get 429 with Retry-After ({@code DBOPS_AUTH_FAILURE_LIMIT}, default 10 per minute).
 */
public record AuthSettings(int failureLimit, Duration failureWindow) {
  public static final AuthSettings DEFAULT = new AuthSettings(10, Duration.ofMinutes(1));
}
