package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.config.ConfigException;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.MasterKeySettings;
import io.dbops.controlplane.secrets.SecretStore;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret store through the real API on a real database: what is stored, what is answered and
 * logged, the master key check at start, and rotation (H2 and PostgreSQL).
 */
class SecretStoreIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String KEY_A = newKey();
  private static final String KEY_B = newKey();

  @TempDir Path dataDir;

  @Test
  void storesListsAndDeletesSecretsWithoutEverAnsweringOrLoggingAValue() throws Exception {
    String first = "first-Value-" + newKey();
    String second = "second-Value-" + newKey();
    ControlPlaneConfig config = keys(KEY_A, null);
    try (RootLogCapture logs = new RootLogCapture()) {
      try (ControlPlane cp = new ControlPlane(config)) {
        cp.start();
        TestClient client = TestClient.of(cp);
        assertThat(put(client, "orders_db_password", Json.write(Map.of("value", first))).code()).isEqualTo(201);
        TestClient.Reply replaced = put(client, "orders_db_password", Json.write(Map.of("value", second)));
        assertThat(replaced.code()).isEqualTo(200);
        String big = "x".repeat(64 * 1024);
        assertThat(put(client, "big", Json.write(Map.of("value", big))).code()).isEqualTo(201);
        TestClient.Reply tooBig = put(client, "bigger", Json.write(Map.of("value", big + "y")));
        assertThat(tooBig.code()).isEqualTo(413);
        assertThat(tooBig.json().path("code").asText()).isEqualTo("too_large");
        assertThat(put(client, "bad%20name", Json.write(Map.of("value", first))).code()).isEqualTo(400);
        assertThat(put(client, "empty", Json.write(Map.of("value", ""))).code()).isEqualTo(400);
        TestClient.Reply malformed = put(client, "broken", "{\"value\": " + first + "}");
        assertThat(malformed.code()).isEqualTo(400);
        assertThat(malformed.body()).doesNotContain(first);
        assertThat(put(client, "number", "{\"value\": 42}").code()).isEqualTo(400);

        TestClient.Reply list = client.get("/api/v1/secrets");
        assertThat(list.code()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        for (JsonNode s : list.json()) {
          names.add(s.path("name").asText());
          assertThat(s.path("createdAt").asText()).isNotEmpty();
          assertThat(s.path("updatedAt").asText()).isNotEmpty();
          assertThat(s.has("value")).isFalse();
        }
        assertThat(names).containsExactly("big", "orders_db_password");
        assertThat(list.body()).doesNotContain(first).doesNotContain(second);

        assertThat(client.delete("/api/v1/secrets/big").code()).isEqualTo(200);
        TestClient.Reply again = client.delete("/api/v1/secrets/big");
        assertThat(again.code()).isEqualTo(404);
        assertThat(again.json().path("code").asText()).isEqualTo("not_found");
      }
      assertThat(logs.text()).doesNotContain(first).doesNotContain(second)
          .doesNotContain(b64(first)).doesNotContain(KEY_A);
    }
    Map<String, String> rows = ciphertexts(h2(config));
    assertThat(rows).containsOnlyKeys("orders_db_password");
    assertThat(rows.get("orders_db_password")).doesNotContain(b64(second)).doesNotContain(second);
    assertThat(value(h2(config), KEY_A, "orders_db_password")).isEqualTo(second);
  }

  @Test
  void aWrongMasterKeyFailsAtStartNamingTheVariableNeverTheKey() throws Exception {
    try (ControlPlane cp = new ControlPlane(keys(KEY_A, null))) {
      cp.start();
      assertThat(put(TestClient.of(cp), "s1", Json.write(Map.of("value", "v1"))).code())
          .isEqualTo(201);
    }
    ControlPlane wrong = new ControlPlane(keys(KEY_B, null));
    assertThatThrownBy(wrong::start)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid control plane configuration: DBOPS_MASTER_KEY does not match the key the secrets were stored with;")
        .hasMessageContaining("DBOPS_MASTER_KEY_PREVIOUS")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY_A).doesNotContain(KEY_B));
    // a previous key that does not match either is refused too, and nothing was changed
    ControlPlane wrongBoth = new ControlPlane(keys(KEY_B, newKey()));
    assertThatThrownBy(wrongBoth::start).isInstanceOf(ConfigException.class)
        .hasMessageContaining("neither does DBOPS_MASTER_KEY_PREVIOUS");
    assertThat(value(h2(keys(KEY_A, null)), KEY_A, "s1")).isEqualTo("v1");
  }

  @Test
  void generatesAPrivateKeyFileOnFirstStartAndChecksItLater() throws Exception {
    ControlPlaneConfig config = Fixtures.config(dataDir); // no DBOPS_MASTER_KEY*
    Path keyFile = dataDir.resolve("master.key");
    try (RootLogCapture logs = new RootLogCapture(); ControlPlane cp = new ControlPlane(config)) {
      cp.start();
      assertThat(put(TestClient.of(cp), "s1", Json.write(Map.of("value", "v1"))).code())
          .isEqualTo(201);
      assertThat(logs.text()).contains("WARN No DBOPS_MASTER_KEY or DBOPS_MASTER_KEY_FILE is set: generated"
          + " a master key in " + keyFile.toAbsolutePath().normalize());
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    String generated = Files.readString(keyFile).strip();
    try (ControlPlane again = new ControlPlane(config)) {
      again.start(); // the same file: the check passes
    }
    assertThat(value(h2(config), generated, "s1")).isEqualTo("v1");
    Files.writeString(keyFile, newKey());
    assertThatThrownBy(() -> new ControlPlane(config).start())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid control plane configuration: the generated key file " + keyFile.toAbsolutePath().normalize()
            + " does not match the key the secrets were stored with");
  }

  @Test
  void rotationReEncryptsEverySecretOnH2() throws Exception {
    rotatesEverySecret(keys -> keys, config -> h2(config));
  }

  @Test
  void rotationReEncryptsEverySecretOnPostgresql() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      rotatesEverySecret(config -> config.toBuilder().database(db.jdbcUrl(), db.username(), db.password()).build(),
          config -> new Database(db.jdbcUrl(), db.username(), db.password(), null));
    }
  }

  @Test
  void anExternalDatabaseWithoutAKeyDisablesTheStoreInsteadOfGeneratingOne() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        RootLogCapture logs = new RootLogCapture();
        ControlPlane cp = new ControlPlane(Fixtures.builder(dataDir)
            .database(db.jdbcUrl(), db.username(), db.password()).build())) {
      cp.start();
      TestClient client = TestClient.of(cp);
      TestClient.Reply refused = put(client, "s1", Json.write(Map.of("value", "v1")));
      assertThat(refused.code()).isEqualTo(503);
      assertThat(refused.json().path("code").asText()).isEqualTo("secrets_disabled");
      assertThat(refused.json().path("message").asText()).contains("DBOPS_MASTER_KEY");
      assertThat(client.get("/api/v1/secrets").json()).isEmpty();
      assertThat(logs.text()).contains("the secret store is disabled");
      assertThat(dataDir.resolve("master.key")).doesNotExist();
    }
  }

  @Test
  void aReplicaLeftOnTheOldKeyRefusesToStoreAfterAnotherRotated() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      ControlPlaneConfig old = keys(KEY_A, null).toBuilder()
          .database(db.jdbcUrl(), db.username(), db.password()).build();
      try (ControlPlane stale = new ControlPlane(old)) {
        stale.start();
        TestClient staleClient = TestClient.of(stale);
        assertThat(put(staleClient, "s1", Json.write(Map.of("value", "v1"))).code()).isEqualTo(201);
        try (ControlPlane rotated = new ControlPlane(keys(KEY_B, KEY_A)
            .toBuilder().database(db.jdbcUrl(), db.username(), db.password())
            .dataDir(dataDir.resolve("b")).build())) {
          rotated.start();
          TestClient.Reply refused = put(staleClient, "s2", Json.write(Map.of("value", "v2")));
          assertThat(refused.code()).isEqualTo(503);
          assertThat(refused.json().path("code").asText()).isEqualTo("master_key_rotated");
          assertThat(put(staleClient.as(stale.adminToken()).at(rotated.baseUrl()), "s2", Json.write(Map.of("value", "v2"))).code())
              .isEqualTo(201);
        }
      }
      assertThat(value(new Database(db.jdbcUrl(), db.username(), db.password(), null), KEY_B, "s2"))
          .isEqualTo("v2");
    }
  }

  private interface ConfigChange {
    ControlPlaneConfig apply(ControlPlaneConfig c);
  }

  private interface DatabaseOf {
    Database open(ControlPlaneConfig c);
  }

  private void rotatesEverySecret(ConfigChange onDatabase, DatabaseOf database) throws Exception {
    ControlPlaneConfig withA = onDatabase.apply(keys(KEY_A, null));
    try (ControlPlane cp = new ControlPlane(withA)) {
      cp.start();
      TestClient client = TestClient.of(cp);
      for (String name : List.of("s1", "s2", "s3")) {
        assertThat(put(client, name, Json.write(Map.of("value", "value of " + name))).code()).isEqualTo(201);
      }
    }
    Map<String, String> before = ciphertexts(database.open(withA));

    try (RootLogCapture logs = new RootLogCapture();
        ControlPlane rotated = new ControlPlane(onDatabase.apply(keys(KEY_B, KEY_A)))) {
      rotated.start();
      assertThat(logs.text()).contains("Rotated the master key from DBOPS_MASTER_KEY_PREVIOUS to"
          + " DBOPS_MASTER_KEY: re-encrypted 3 secret(s)");
      assertThat(TestClient.of(rotated).get("/api/v1/secrets").json()).hasSize(3);
    }
    Map<String, String> after = ciphertexts(database.open(withA));
    assertThat(after).containsOnlyKeys("s1", "s2", "s3");
    for (String name : before.keySet()) {
      assertThat(after.get(name)).isNotEqualTo(before.get(name));
      assertThat(value(database.open(withA), KEY_B, name)).isEqualTo("value of " + name);
    }
    // the old key alone now fails at start; the new one alone starts
    assertThatThrownBy(() -> new ControlPlane(withA).start())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Invalid control plane configuration: DBOPS_MASTER_KEY does not match the key the secrets were stored with");
    try (ControlPlane newOnly = new ControlPlane(onDatabase.apply(keys(KEY_B, null)))) {
      newOnly.start();
    }
  }

  // --- helpers ---

  private ControlPlaneConfig keys(String current, String previous) {
    Map<String, String> env = new HashMap<>();
    env.put("DBOPS_MASTER_KEY", current);
    if (previous != null) {
      env.put("DBOPS_MASTER_KEY_PREVIOUS", previous);
    }
    List<String> problems = new ArrayList<>();
    MasterKeySettings settings = MasterKeySettings.fromEnvironment(env, problems);
    assertThat(problems).isEmpty();
    return Fixtures.builder(dataDir).masterKeys(settings).build();
  }

  private Database h2(ControlPlaneConfig config) {
    return new Database(config.effectiveDbUrl(), null, null, dataDir);
  }

  private static Map<String, String> ciphertexts(Database database) {
    database.start();
    try (database) {
      Map<String, String> rows = new HashMap<>();
      new Sql(database.dataSource()).query("SELECT name, ciphertext FROM secrets", rs -> {
        rows.put(rs.getString(1), rs.getString(2));
        return null;
      }, 0);
      return rows;
    }
  }

  private static String value(Database database, String key, String name) {
    database.start();
    try (database) {
      return new SecretStore(new Sql(database.dataSource()), MasterKey.parse(key, "test key"),
          Clock.systemUTC()).value(name).orElseThrow();
    }
  }

  static TestClient.Reply put(TestClient client, String name, String body) throws Exception {
    Request request = new Request.Builder().url(client.baseUrl + "/api/v1/secrets/" + name)
        .put(RequestBody.create(body, TestClient.JSON))
        .header("Authorization", "Bearer " + client.token).build();
    try (Response response = client.http.newCall(request).execute()) {
      return new TestClient.Reply(response.code(), response.body() == null ? "" : response.body().string());
    }
  }

  static String newKey() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
