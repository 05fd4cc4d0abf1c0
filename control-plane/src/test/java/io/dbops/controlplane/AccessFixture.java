package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Json;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** Creates API tokens through the API and reaches into the embedded H2 database for tests. */
final class AccessFixture {
  private AccessFixture() {}

  /** A new API token's value, created by {@code admin}. */
  static String token(TestClient admin, String name, List<String> roles, List<String> environments,
      List<String> verbs) {
    TestClient.Reply created = admin.post("/api/v1/access/tokens", Json.write(Map.of("name", name,
        "kind", "user", "roles", roles, "environments", environments, "verbs", verbs)));
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    return created.json().path("token").asText();
  }

  static String token(TestClient admin, String name, String role) {
    return token(admin, name, List.of(role), List.of(), List.of());
  }

  /** A connection to the control plane's embedded H2 database (same JVM, so it may be open). */
  static Connection h2(Path dataDir) throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve(
        "controlplane"));
  }

  static int update(Path dataDir, String sql) throws SQLException {
    try (Connection c = h2(dataDir)) {
      return c.createStatement().executeUpdate(sql);
    }
  }
}
