package io.dbops.controlplane.webhooks;

import java.time.Instant;

/**
 * One delivery a webhook received (its delivery id was valid and signed).
 *
 * @param outcome {@code triggered}, {@code filtered}, {@code ping}, {@code ignored} or
 *     {@code received} (being handled)
 * @param detail why nothing ran, for filtered and ignored deliveries
 */
public record WebhookDelivery(String deliveryId, Instant receivedAt, String outcome,
    String executionId, String detail) {}
