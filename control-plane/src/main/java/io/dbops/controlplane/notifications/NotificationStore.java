package io.dbops.controlplane.notifications;

import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.store.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tables {@code notification_endpoints} and {@code notification_outbox}. Thread-safe. */
final class NotificationStore {
  /** A stored endpoint: its definition as JSON and its sealed secret. */
  record Row(String name, String definition, SecretBox.Sealed secret, long createdAt,
      String createdBy) {}

  /** An outbox row to send. */
  record Pending(String id, String endpoint, String event, String executionId, String payload,
      int attempts, long createdAt, long nextAttemptAt) {}

  private static final String DELIVERY_COLUMNS = "id, endpoint_name, event, execution_id, status,"
      + " attempts, created_at, next_attempt_at, delivered_at, last_status, last_error";

  private final Sql sql;

  NotificationStore(Sql sql) {
    this.sql = sql;
  }

  boolean insert(Row row) {
    try {
      sql.update("INSERT INTO notification_endpoints (name, definition, secret_nonce,"
          + " secret_ciphertext, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)", row.name(),
          row.definition(), row.secret().nonce(), row.secret().ciphertext(), row.createdAt(),
          row.createdBy());
      return true;
    } catch (Sql.StoreException e) {
      if (Sql.isUniqueViolation(e)) {
        return false;
      }
      throw e;
    }
  }

  void reseal(String name, SecretBox.Sealed secret) {
    sql.update("UPDATE notification_endpoints SET secret_nonce = ?, secret_ciphertext = ? WHERE"
        + " name = ?", secret.nonce(), secret.ciphertext(), name);
  }

  Optional<Row> find(String name) {
    return sql.queryOne("SELECT name, definition, secret_nonce, secret_ciphertext, created_at,"
        + " created_by FROM notification_endpoints WHERE name = ?", NotificationStore::row, name);
  }

  List<Row> list() {
    return sql.query("SELECT name, definition, secret_nonce, secret_ciphertext, created_at,"
        + " created_by FROM notification_endpoints ORDER BY name", NotificationStore::row, 0);
  }

  /** Deletes the endpoint and its outbox rows; false when there was none. */
  boolean delete(String name) {
    return sql.inTransaction(c -> {
      Sql.update(c, "DELETE FROM notification_outbox WHERE endpoint_name = ?", name);
      return Sql.update(c, "DELETE FROM notification_endpoints WHERE name = ?", name) == 1;
    });
  }

  static void enqueue(Connection c, String id, String endpoint, String event, String executionId,
      String payload, long now) throws SQLException {
    Sql.update(c, "INSERT INTO notification_outbox (id, endpoint_name, event, execution_id,"
        + " payload, status, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?,"
        + " 'PENDING', 0, ?, ?)", id, endpoint, event, executionId, payload, now, now);
  }

  List<Pending> due(long now, int max) {
    return sql.query("SELECT id, endpoint_name, event, execution_id, payload, attempts,"
        + " created_at, next_attempt_at FROM notification_outbox WHERE status = 'PENDING' AND"
        + " next_attempt_at <= ? ORDER BY next_attempt_at", rs -> new Pending(rs.getString(1),
            rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6),
            rs.getLong(7), rs.getLong(8)), max, now);
  }

  /**
   * Claims a due row until {@code until} (another replica's sender skips it meanwhile); false
   * when another sender claimed it first.
   */
  boolean claim(Pending p, long until) {
    return sql.update("UPDATE notification_outbox SET next_attempt_at = ? WHERE id = ? AND status"
        + " = 'PENDING' AND next_attempt_at = ?", until, p.id(), p.nextAttemptAt()) == 1;
  }

  void delivered(String id, int attempts, long at, int status) {
    sql.update("UPDATE notification_outbox SET status = 'DELIVERED', attempts = ?, delivered_at"
        + " = ?, last_status = ?, last_error = NULL WHERE id = ?", attempts, at, status, id);
  }

  /** A failed attempt: retried at {@code next}, or given up when {@code next} is null. */
  void failed(String id, int attempts, Long next, Integer status, String error) {
    String cut = error == null ? null : error.substring(0, Math.min(error.length(), 1000));
    if (next == null) {
      sql.update("UPDATE notification_outbox SET status = 'FAILED', attempts = ?, last_status = ?,"
          + " last_error = ? WHERE id = ?", attempts, status, cut, id);
    } else {
      sql.update("UPDATE notification_outbox SET attempts = ?, next_attempt_at = ?, last_status"
          + " = ?, last_error = ? WHERE id = ?", attempts, next, status, cut, id);
    }
  }

  /** Removes delivered and given-up rows created before {@code before}; returns how many. */
  int prune(long before) {
    return sql.update("DELETE FROM notification_outbox WHERE status <> 'PENDING' AND created_at < ?",
        before);
  }

  List<NotificationDelivery> deliveries(String endpoint, int max) {
    return sql.query("SELECT " + DELIVERY_COLUMNS + " FROM notification_outbox WHERE"
        + " endpoint_name = ? ORDER BY created_at DESC, id", NotificationStore::delivery, max,
        endpoint);
  }

  private static NotificationDelivery delivery(ResultSet rs) throws SQLException {
    long delivered = rs.getLong("delivered_at");
    boolean none = rs.wasNull();
    int status = rs.getInt("last_status");
    boolean noStatus = rs.wasNull();
    return new NotificationDelivery(rs.getString("id"), rs.getString("endpoint_name"),
        rs.getString("event"), rs.getString("execution_id"), rs.getString("status"),
        rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
        none ? null : Instant.ofEpochMilli(delivered), noStatus ? null : status,
        rs.getString("last_error"));
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(rs.getString("name"), rs.getString("definition"),
        new SecretBox.Sealed(rs.getString("secret_nonce"), rs.getString("secret_ciphertext")),
        rs.getLong("created_at"), rs.getString("created_by"));
  }
}
