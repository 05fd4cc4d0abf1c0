package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.policy.Allowlists;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * init → execute → cleanup through real processes: the delegate starts a real lite engine and a
 * real step runtime, which applies a changelog to an H2 file database and ships its log.
 */
class DelegatePodIT {
  @TempDir Path work;
  private FakeControlPlane controlPlane;
  private final MockWebServer logService = new MockWebServer();
  private final List<String> shippedText = new CopyOnWriteArrayList<>();
  private Delegate delegate;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane().start();
    logService.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        try {
          JsonNode body = Json.mapper().readTree(request.getBody().readUtf8());
          if (body == null || body.get("lines") == null) {
            return new MockResponse().setBody("{\"acceptedThrough\":0}");
          }
          if (!"executions/e1/stages/dev/steps/apply".equals(body.path("stream").asText())) {
            return new MockResponse().setBody("{\"acceptedThrough\":0}"); // the delegate's own stage log
          }
          for (JsonNode line : body.get("lines")) {
            shippedText.add(line.get("text").asText());
          }
        } catch (Exception e) {
          return new MockResponse().setResponseCode(400);
        }
        return new MockResponse().setBody("{\"acceptedThrough\":0}");
      }
    });
    logService.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
    logService.shutdown();
  }

  @Test
  void initialisesAPodAppliesAChangelogAndCleansUp() throws Exception {
    io.dbops.testsupport.ChangelogRepository.writeChangelog(work);
    String jdbcUrl = "jdbc:h2:file:" + work.resolve("db").toAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    DelegateConfig config = DelegateConfig.builder().serverUrl(controlPlane.url()).token("dlg_token").name("dc1")
        .capacity(2).runtime("local").stateDir(work.resolve("state"))
        .podProcessCommand(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
            System.getProperty("java.class.path"), RealPodMain.class.getName()))
        .heartbeatInterval(Duration.ofSeconds(15)).maxBackoff(Duration.ofMillis(500))
        .podReadyTimeout(Duration.ofSeconds(90)).tls(DelegateConfig.Tls.INSECURE)
        .endpoints(DelegateConfig.Endpoints.loopbackFreePort())
        // default deny: this pipeline's H2 file database lives under the test's work directory
        .allowlists(Allowlists.of(Map.of("DBOPS_ALLOW_H2_DIR", work.toAbsolutePath().toString(),
            "DBOPS_ALLOW_CHANGELOG_DIRS", work.toAbsolutePath().toString())))
        .build();
    controlPlane.acceptNext();
    delegate = new Delegate(config, name -> null);
    delegate.start();
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);

    // the lite engine ships step logs only to the log service the init task names (DBOPS_LOG_SERVICE_URL)
    com.fasterxml.jackson.databind.node.ObjectNode initPayload = (com.fasterxml.jackson.databind.node.ObjectNode)
        Json.tree(new InitStagePayload("e1", "dev", "e1-dev", "dbops:dev", 1, Map.of(), List.of(), 600));
    initPayload.set("delegateLogStream", Json.tree(Map.of(
        "serviceUrl", logService.url("/").toString().replaceAll("/$", ""),
        "key", "executions/e1/stages/dev/_delegate", "token", "log-token")));
    Frame.TaskResult init = run(session, "t-init", TaskTypes.INIT_STAGE, 120, initPayload);
    assertThat(init.status()).as(init.error()).isEqualTo(TaskStatus.SUCCEEDED);
    InitStageOutput pod = Json.convert(init.output(), InitStageOutput.class);
    assertThat(pod.stepPorts()).hasSize(1);

    Frame.TaskResult apply = run(session, "t-apply", TaskTypes.EXECUTE_STEP, 120,
        new ExecuteStepPayload("e1", "dev", "apply", "e1-dev", pod.liteEngineAddress(), pod.stepPorts().get(0),
            new ExecuteStepPayload.StepSpec("apply", "changelog.yaml", work.toString(), jdbcUrl, "sa", null,
                null, null, null, 0, Map.of(), null),
            new ExecuteStepPayload.LogStreamRef(logService.url("/").toString().replaceAll("/$", ""),
                "executions/e1/stages/dev/steps/apply", "log-token")));
    assertThat(apply.status()).as(apply.error()).isEqualTo(TaskStatus.SUCCEEDED);
    StepOutput output = Json.convert(apply.output(), StepOutput.class);
    assertThat(output.status()).isEqualTo("SUCCEEDED");
    assertThat(output.changesets()).extracting(StepOutput.ChangeSet::id).contains("create-orders");
    assertThat(output.logLines()).isPositive();
    assertThat(output.undeliveredLogLines()).isZero();
    assertThat(shippedText).hasSize((int) output.logLines());

    Frame.TaskResult cleanup = run(session, "t-cleanup", TaskTypes.CLEANUP_STAGE, 60,
        new CleanupStagePayload("e1", "dev", "e1-dev"));
    assertThat(cleanup.status()).isEqualTo(TaskStatus.SUCCEEDED);
    int liteEnginePort = Integer.parseInt(pod.liteEngineAddress().substring(pod.liteEngineAddress().indexOf(':') + 1));
    assertThat(isListening(liteEnginePort)).isFalse();

    try (Connection db = DriverManager.getConnection(jdbcUrl, "sa", "");
        ResultSet rs = db.createStatement().executeQuery(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'ORDERS'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  private static Frame.TaskResult run(FakeControlPlane.Session session, String id, String type, int timeout,
      Object payload) throws InterruptedException {
    session.send(new Frame.TaskOffer(id, type));
    assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo(id);
    session.send(new Frame.TaskAssigned(id, type, 1, timeout, 60, Json.tree(payload)));
    Frame.TaskResult result = session.nextResult(Duration.ofSeconds(timeout));
    session.send(new Frame.ResultAck(id));
    return result;
  }

  private static boolean isListening(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
