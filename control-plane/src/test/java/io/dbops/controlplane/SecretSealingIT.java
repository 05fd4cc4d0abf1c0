package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.api.ExecutionView;
import io.dbops.api.TokenCreated;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.SealedBox;
import io.dbops.secrets.SecretSource;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store secrets travel only sealed, only in {@code task_assigned}, only to the delegate process
 * that claimed the task: a real control plane, a real WebSocket, the test delegate.
 */
class SecretSealingIT {
  private static final String NAME = "orders_db_password";
  private static final String EXPRESSION = SecretSource.expression(NAME);

  @TempDir Path dataDir;

  private ControlPlaneConfig config() {
    return Fixtures.config(dataDir);
  }

  private static Pipeline pipeline(String passwordFrom) {
    Pipeline p = Fixtures.pipeline("orders", Fixtures.step("apply", "apply"));
    Stage s = p.stages().get(0);
    return new Pipeline(p.name(), List.of(new Stage(s.name(), new io.dbops.pipeline.Database(
        s.database().url(), s.database().username(), passwordFrom), s.steps(), s.delegateSelectors(), 0)));
  }

  /** The pipeline with a pod block (a registry login from the store) and step resources. */
  private static Pipeline withPod(String passwordFrom, String registryPasswordFrom) {
    Stage s = pipeline(passwordFrom).stages().get(0);
    io.dbops.pipeline.Step step = s.steps().get(0);
    io.dbops.pipeline.Step withResources = new io.dbops.pipeline.Step(step.name(), step.type(), step.changelog(),
        step.searchPath(), null, null, null, null, step.parameters(), null, null, null, null, null, null, null,
        null, null, null, null, new io.dbops.pipeline.StepResources("250m", "512Mi", "1", "1Gi"));
    io.dbops.pipeline.StagePod pod = new io.dbops.pipeline.StagePod("dbops-build", Map.of("pool", "db"),
        List.of(new io.dbops.pipeline.StagePod.Toleration("dedicated", "Equal", "db", "NoSchedule", null)),
        "IfNotPresent", List.of(new io.dbops.pipeline.StagePod.RegistryCredential("registry.example.com",
            "robot", registryPasswordFrom)));
    return new Pipeline("orders", List.of(new Stage(s.name(), s.database(), List.of(withResources),
        s.delegateSelectors(), 0, pod)));
  }

  private static Frame.Hello hello(String instanceId, String sealingKey) {
    return new Frame.Hello(Frame.PROTOCOL_VERSION, "test-delegate", instanceId, "0.1.0-test", List.of(),
        2, TaskTypes.ALL, List.of(), List.of(), sealingKey);
  }

  @Test
  void sealsTheValueForTheClaimingDelegateAndStoresOnlyTheExpression() throws Exception {
    String value = "pw-" + SecretStoreIT.newKey();
    String registryValue = "reg-" + SecretStoreIT.newKey();
    KeyPair keys = SealedBox.newKeyPair();
    String sealed;
    String initTaskId;
    try (RootLogCapture logs = new RootLogCapture()) {
      try (ControlPlane cp = new ControlPlane(config())) {
        cp.start();
        TestClient client = TestClient.of(cp);
        assertThat(SecretStoreIT.put(client, NAME, Json.write(Map.of("value", value))).code()).isEqualTo(201);
        assertThat(SecretStoreIT.put(client, "registry_pw", Json.write(Map.of("value", registryValue))).code())
            .isEqualTo(201);
        String token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
        try (TestDelegate delegate = new TestDelegate("inst-s")) {
          delegate.connect(client.http, cp.baseUrl(), token,
              hello("inst-s", SealedBox.encodePublicKey(keys.getPublic())));
          delegate.runWith(Scripts.succeedExcept());
          String id = OrchestrationIT.submit(client, withPod(EXPRESSION, SecretSource.expression("registry_pw")));
          ExecutionView view = OrchestrationIT.awaitFinished(client, id);
          assertThat(view.status()).as(String.valueOf(view.error())).isEqualTo("SUCCEEDED");

          Frame.TaskAssigned init = delegate.assigned.get(0);
          assertThat(init.taskType()).isEqualTo(TaskTypes.INIT_STAGE);
          initTaskId = init.taskId();
          var secretEnv = init.payload().get("secretEnv").get(0);
          assertThat(secretEnv.get("name").asText()).isEqualTo("DBOPS_DB_PASSWORD");
          assertThat(secretEnv.get("source").asText()).isEqualTo(EXPRESSION);
          sealed = secretEnv.get("sealed").asText();
          assertThat(SealedBox.open(keys.getPrivate(), sealed, initTaskId)).isEqualTo(value);
          var pod = init.payload().get("pod");
          assertThat(pod.get("serviceAccount").asText()).isEqualTo("dbops-build");
          assertThat(pod.get("nodeSelector").get("pool").asText()).isEqualTo("db");
          assertThat(pod.get("tolerations").get(0).get("effect").asText()).isEqualTo("NoSchedule");
          assertThat(pod.get("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
          assertThat(pod.get("stepResources").get(0).get("memoryLimit").asText()).isEqualTo("1Gi");
          var registry = pod.get("registryCredentials").get(0);
          assertThat(registry.get("registry").asText()).isEqualTo("registry.example.com");
          assertThat(registry.get("password").get("source").asText())
              .isEqualTo(SecretSource.expression("registry_pw"));
          String registrySealed = registry.get("password").get("sealed").asText();
          assertThat(SealedBox.open(keys.getPrivate(), registrySealed, initTaskId)).isEqualTo(registryValue);
          // bound to the task and to this delegate process
          String sealedFinal = sealed;
          assertThatThrownBy(() -> SealedBox.open(keys.getPrivate(), sealedFinal, "task-other"))
              .isInstanceOf(IllegalArgumentException.class);
          assertThatThrownBy(() -> SealedBox.open(SealedBox.newKeyPair().getPrivate(), sealedFinal, initTaskId))
              .isInstanceOf(IllegalArgumentException.class);
          assertThat(delegate.assigned.subList(1, delegate.assigned.size()))
              .allSatisfy(a -> assertThat(a.payload().toString()).doesNotContain(sealed).doesNotContain(value));

          for (String path : List.of("/api/v1/executions/" + id, "/api/v1/executions",
              "/api/v1/executions/" + id + "/logs", "/api/v1/tasks/" + initTaskId, "/api/v1/secrets")) {
            assertThat(client.get(path).body()).as(path).doesNotContain(value).doesNotContain(sealed)
                .doesNotContain(registryValue);
          }
        }
      }
      assertThat(logs.text()).doesNotContain(value).doesNotContain(sealed).doesNotContain(registryValue);
    }
    try (Database db = new Database(config().effectiveDbUrl(), null, null, dataDir)) {
      db.start();
      List<String> payloads = new Sql(db.dataSource()).query("SELECT id, payload, result, error FROM tasks",
          rs -> rs.getString("id") + " " + rs.getString("payload") + " " + rs.getString("result") + " "
              + rs.getString("error"), 0);
      assertThat(payloads).hasSize(3).allSatisfy(p -> assertThat(p).doesNotContain(value).doesNotContain(sealed)
          .doesNotContain(registryValue));
      assertThat(payloads).filteredOn(p -> p.startsWith(initTaskId + " ")).singleElement()
          .satisfies(p -> assertThat(p).contains("secrets.getValue").doesNotContain("\"sealed\":\""));
      List<String> executions = new Sql(db.dataSource()).query("SELECT pipeline, state FROM executions",
          rs -> rs.getString(1) + rs.getString(2), 0);
      assertThat(executions).allSatisfy(e -> assertThat(e).doesNotContain(value).doesNotContain(sealed));
    }
  }

  @Test
  void refusesARunThatNamesASecretTheStoreDoesNotHold() {
    try (ControlPlane cp = new ControlPlane(config())) {
      cp.start();
      TestClient client = TestClient.of(cp);
      TestClient.Reply reply = client.post("/api/v1/executions", pipeline(SecretSource.expression("nope")));
      assertThat(reply.code()).isEqualTo(400);
      assertThat(reply.json().path("message").asText()).contains("nope").contains("dbops secret create");
      assertThat(reply.json().path("details").get(0).asText()).isEqualTo("secret 'nope' does not exist");
      TestClient.Reply invalid = client.post("/api/v1/executions", pipeline("plain-password-pasted"));
      assertThat(invalid.code()).isEqualTo(400);
      assertThat(invalid.body()).doesNotContain("plain-password-pasted").contains("env:VARIABLE");
    }
  }

  @Test
  void failsTheTaskOnceNamingTheSecretWhenTheDelegateHasNoSealingKey() throws Exception {
    try (ControlPlane cp = new ControlPlane(config())) {
      cp.start();
      TestClient client = TestClient.of(cp);
      SecretStoreIT.put(client, NAME, Json.write(Map.of("value", "pw-1234")));
      String token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
      try (TestDelegate delegate = new TestDelegate("inst-old")) {
        delegate.connect(client.http, cp.baseUrl(), token, hello("inst-old", null));
        delegate.runWith(Scripts.succeedExcept());
        String id = OrchestrationIT.submit(client, pipeline(EXPRESSION));
        ExecutionView view = OrchestrationIT.awaitFinished(client, id);
        assertThat(view.status()).isEqualTo("FAILED");
        assertThat(view.error()).contains("sent no sealing key").contains("'" + NAME + "'");
        // the init task was never assigned (only the build pod's cleanup, which always runs)
        assertThat(delegate.assigned).extracting(Frame.TaskAssigned::taskType)
            .doesNotContain(TaskTypes.INIT_STAGE);
      }
    }
  }

  @Test
  void failsTheTaskNamingTheSecretWhenItWasDeletedAfterSubmission() throws Exception {
    try (ControlPlane cp = new ControlPlane(config())) {
      cp.start();
      TestClient client = TestClient.of(cp);
      SecretStoreIT.put(client, NAME, Json.write(Map.of("value", "pw-1234")));
      String id = OrchestrationIT.submit(client, pipeline(EXPRESSION));
      assertThat(client.delete("/api/v1/secrets/" + NAME).code()).isEqualTo(200);
      String token = client.post("/api/v1/tokens", "{\"name\":\"d\"}").as(TokenCreated.class).token();
      KeyPair keys = SealedBox.newKeyPair();
      try (TestDelegate delegate = new TestDelegate("inst-late")) {
        delegate.connect(client.http, cp.baseUrl(), token,
            hello("inst-late", SealedBox.encodePublicKey(keys.getPublic())));
        delegate.runWith(Scripts.succeedExcept());
        ExecutionView view = OrchestrationIT.awaitFinished(client, id);
        assertThat(view.status()).isEqualTo("FAILED");
        assertThat(view.error()).contains("Secret '" + NAME + "' does not exist");
        // the init task was never assigned (only the build pod's cleanup, which always runs)
        assertThat(delegate.assigned).extracting(Frame.TaskAssigned::taskType)
            .doesNotContain(TaskTypes.INIT_STAGE);
      }
    }
  }
}
