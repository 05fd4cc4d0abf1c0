package io.dbops.controlplane.session;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbops.controlplane.store.Sql;
import io.dbops.protocol.Frame;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The {@code delegate_instances} table: every instance connected to any replica, refreshed at
 * each heartbeat tick, so any replica can tell whether some delegate could run a queued task.
 * Rows of a replica that died vanish from {@link #live} once their {@code last_seen} is old.
 */
final class DelegateRegistry {
  private final Sql sql;

  /** A registered instance. {@code accepting} is false while it drains or its token is revoked. */
  record Registered(String instanceId, String name, List<String> tags, List<String> taskTypes,
      int capacity, boolean accepting) {}

  DelegateRegistry(Sql sql) {
    this.sql = sql;
  }

  void register(Frame.Hello hello, String sessionId, long now) {
    sql.update("DELETE FROM delegate_instances WHERE instance_id = ?", hello.instanceId());
    try {
      sql.update("INSERT INTO delegate_instances (instance_id, name, tags, task_types, capacity, "
              + "session_id, accepting, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          hello.instanceId(), hello.name(), Json.write(hello.tags()), Json.write(hello.taskTypes()),
          hello.capacity(), sessionId, true, now);
    } catch (Sql.StoreException e) {
      if (!Sql.isUniqueViolation(e)) {
        throw e; // a concurrent hello of the same instance on another replica won; fine
      }
    }
  }

  void touch(Collection<String> sessionIds, long now) {
    if (sessionIds.isEmpty()) {
      return;
    }
    List<Object> args = new ArrayList<>();
    args.add(now);
    args.addAll(sessionIds);
    sql.update("UPDATE delegate_instances SET last_seen = ? WHERE session_id IN ("
        + String.join(", ", java.util.Collections.nCopies(sessionIds.size(), "?")) + ")",
        args.toArray());
  }

  void stopAccepting(String sessionId) {
    sql.update("UPDATE delegate_instances SET accepting = ? WHERE session_id = ?", false, sessionId);
  }

  /** Removes the row of this session (not a newer session of the same instance). */
  void unregister(String sessionId) {
    sql.update("DELETE FROM delegate_instances WHERE session_id = ?", sessionId);
  }

  List<Registered> live(long seenAfter) {
    return sql.query("SELECT instance_id, name, tags, task_types, capacity, accepting FROM "
            + "delegate_instances WHERE last_seen > ? ORDER BY name, instance_id",
        rs -> new Registered(rs.getString(1), rs.getString(2), list(rs.getString(3)),
            list(rs.getString(4)), rs.getInt(5), rs.getBoolean(6)), 0, seenAfter);
  }

  private static List<String> list(String json) {
    try {
      return Json.mapper().readValue(json, new TypeReference<List<String>>() {});
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Stored delegate JSON is corrupt: " + e.getMessage(), e);
    }
  }
}
