package io.dbops.controlplane.webhooks;

import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.store.Sql;
import java.util.List;
import java.util.Optional;

/** Tables {@code webhooks} and {@code webhook_deliveries}. Thread-safe. */
final class WebhookStore {
  /** A stored row: the definition as JSON and the sealed secret. */
  record Row(String name, String definition, SecretBox.Sealed secret, long createdAt,
      String createdBy) {}

  private final Sql sql;

  WebhookStore(Sql sql) {
    this.sql = sql;
  }

  /** False when a webhook of that name exists already. */
  boolean insert(Row row) {
    try {
      sql.update("INSERT INTO webhooks (name, definition, secret_nonce, secret_ciphertext,"
          + " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)", row.name(), row.definition(),
          row.secret().nonce(), row.secret().ciphertext(), row.createdAt(), row.createdBy());
      return true;
    } catch (Sql.StoreException e) {
      if (Sql.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  void reseal(String name, SecretBox.Sealed secret) {
    sql.update("UPDATE webhooks SET secret_nonce = ?, secret_ciphertext = ? WHERE name = ?",
        secret.nonce(), secret.ciphertext(), name);
  }

  Optional<Row> find(String name) {
    return sql.queryOne("SELECT name, definition, secret_nonce, secret_ciphertext, created_at,"
        + " created_by FROM webhooks WHERE name = ?", WebhookStore::row, name);
  }

  List<Row> list() {
    return sql.query("SELECT name, definition, secret_nonce, secret_ciphertext, created_at,"
        + " created_by FROM webhooks ORDER BY name", WebhookStore::row, 0);
  }

  /** Deletes the webhook and the delivery ids it saw; false when there was none. */
  boolean delete(String name) {
    return sql.inTransaction(c -> {
      Sql.update(c, "DELETE FROM webhook_deliveries WHERE webhook_name = ?", name);
      return Sql.update(c, "DELETE FROM webhooks WHERE name = ?", name) == 1;
    });
  }

  /** Remembers a delivery id; false when it was seen before (a replay). */
  boolean remember(String webhook, String deliveryId, long at) {
    try {
      sql.update("INSERT INTO webhook_deliveries (webhook_name, delivery_id, received_at, outcome)"
          + " VALUES (?, ?, ?, 'received')", webhook, deliveryId, at);
      return true;
    } catch (Sql.StoreException e) {
      if (Sql.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  void outcome(String webhook, String deliveryId, String outcome, String executionId,
      String detail) {
    sql.update("UPDATE webhook_deliveries SET outcome = ?, execution_id = ?, detail = ? WHERE"
        + " webhook_name = ? AND delivery_id = ?", outcome, executionId,
        detail == null ? null : detail.substring(0, Math.min(detail.length(), 1000)), webhook,
        deliveryId);
  }

  /** Forgets a delivery whose run failed to start, so that the sender's redelivery may run. */
  void forget(String webhook, String deliveryId) {
    sql.update("DELETE FROM webhook_deliveries WHERE webhook_name = ? AND delivery_id = ?",
        webhook, deliveryId);
  }

  /** Forgets every delivery id received before {@code before}. */
  void prune(long before) {
    sql.update("DELETE FROM webhook_deliveries WHERE received_at < ?", before);
  }

  /** The latest deliveries of a webhook, newest first. */
  List<WebhookDelivery> deliveries(String webhook, int max) {
    return sql.query("SELECT delivery_id, received_at, outcome, execution_id, detail FROM"
        + " webhook_deliveries WHERE webhook_name = ? ORDER BY received_at DESC", rs ->
        new WebhookDelivery(rs.getString(1), java.time.Instant.ofEpochMilli(rs.getLong(2)),
            rs.getString(3), rs.getString(4), rs.getString(5)), max, webhook);
  }

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Row(rs.getString("name"), rs.getString("definition"),
        new SecretBox.Sealed(rs.getString("secret_nonce"), rs.getString("secret_ciphertext")),
        rs.getLong("created_at"), rs.getString("created_by"));
  }
}
