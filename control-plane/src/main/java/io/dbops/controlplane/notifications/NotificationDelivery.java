package io.dbops.controlplane.notifications;

import java.time.Instant;

/**
 * One row of the outbox, which is also the delivery log.
 *
 * @param id the delivery id, sent as {@code X-Dbops-Delivery}
 * @param status {@code PENDING}, {@code DELIVERED} or {@code FAILED} (given up)
 * @param lastStatus the HTTP status of the last attempt; null when it got none
 * @param lastError why the last attempt failed; null after a success
 */
public record NotificationDelivery(String id, String endpoint, String event, String executionId,
    String status, int attempts, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt,
    Integer lastStatus, String lastError) {}
