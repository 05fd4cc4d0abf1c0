package io.dbops.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dbops.agent.RealPodMain;
import io.dbops.agent.config.LocalSettings;
import io.dbops.agent.policy.Allowlists;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.runtime.local.LocalPodRuntime;
import io.dbops.agent.secrets.KubernetesSecretReader;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.agent.secrets.SecretResolver;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.protocol.CleanupStagePayload;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.SealedBox;
import io.dbops.support.GrpcChannels;
import io.dbops.support.Json;
import io.dbops.testsupport.AcceptingLogService;
import io.dbops.testsupport.ChangelogRepository;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Stages on warm and reused pods with the real lite engine and step runtime, through the
 * delegate's own task handlers: a warm pod applies a changelog to PostgreSQL; the next stage with
 * the same reuse key runs on the same processes with its own credential (the first one's is
 * refused), on another database; a stage without the key never gets them; nothing is left after
 * close, and the stage's secret reaches no file.
 */
class WarmPodStageIT {
  private static final String CANARY = "warm-stage-canary-pw-6203";
  private static final Pattern READY = Pattern.compile("Pod (\\S+) is ready on (warm|idle) pod (\\S+) \\(pids \\[(\\d+), (\\d+)\\]\\)");
  @TempDir Path work;
  private final List<TestDatabase> dbs = new ArrayList<>();
  private LocalPodRuntime runtime;
  private GrpcChannels liteEngines;
  private AcceptingLogService logService;
  private InitStageHandler init;
  private ExecuteStepHandler execute;
  private CleanupStageHandler cleanup;
  private final PodCredentials credentials = new PodCredentials();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(LocalPodRuntime.class);

  @BeforeEach
  void start() throws Exception {
    logs.start();
    logger.addAppender(logs);
    dbs.add(TestDatabases.create(TestDatabases.Kind.POSTGRES));
    dbs.add(TestDatabases.create(TestDatabases.Kind.POSTGRES));
    ChangelogRepository.writeChangelog(work);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        RealPodMain.class.getName());
    Path stateDir = work.resolve("state");
    runtime = new LocalPodRuntime(new LocalSettings(command, 4, null, Map.of(), 1, Duration.ofSeconds(60)), stateDir,
        Duration.ofSeconds(120), System::getenv);
    logService = AcceptingLogService.start();
    liteEngines = new GrpcChannels("lite engine");
    DelegatePolicy policy = new DelegatePolicy(Allowlists.of(Map.of("DBOPS_ALLOW_SECRET_ENV", "TEST_DB_*",
        "DBOPS_ALLOW_HOSTS", "127.0.0.1:*,localhost:*", "DBOPS_ALLOW_CHANGELOG_DIRS", work.toString())), stateDir);
    String password = dbs.get(0).password().isEmpty() ? CANARY : dbs.get(0).password();
    SecretResolver secrets = new SecretResolver(SealedBox.newKeyPair().getPrivate(),
        Map.of("TEST_DB_PASSWORD", password)::get, KubernetesSecretReader.NONE, policy);
    PodMaskers maskers = new PodMaskers();
    StageLogs stageLogs = new StageLogs(new OkHttpClient(), null);
    init = new InitStageHandler(runtime, secrets, maskers, credentials, stageLogs, logService.url());
    execute = new ExecuteStepHandler(liteEngines, maskers, credentials, policy, stageLogs);
    cleanup = new CleanupStageHandler(runtime, maskers, credentials, stageLogs);
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(logs);
    if (runtime != null) {
      runtime.close();
    }
    if (liteEngines != null) {
      liteEngines.close();
    }
    if (logService != null) {
      logService.close();
    }
    for (TestDatabase db : dbs) {
      db.close();
    }
  }

  @Test
  void stagesOfOneReuseKeyApplyChangelogsOnTheSameWarmProcessesEachWithItsOwnCredential() throws Exception {
    runtime.warmUp();
    // warm before the first stage comes, as between the stages of a delegate that runs a while
    Path warmPods = work.resolve("state/warm-pods");
    await().atMost(Duration.ofSeconds(180)).until(() -> logsContain(warmPods, "step-1.log", "dbops step runtime warm")
        && logsContain(warmPods, "lite-engine.log", "dbops lite engine warm"));

    InitStageOutput first = initStage("t1-dev", "rollout:r1:dev");
    Matcher t1 = ready("t1-dev");
    assertThat(t1.group(2)).isEqualTo("warm");
    assertApplied(first, "t1-dev", dbs.get(0));
    String firstToken = credentials.of("t1-dev").orElseThrow();
    run(cleanup, TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", "t1-dev"));
    List<ProcessHandle> served = List.of(ProcessHandle.of(Long.parseLong(t1.group(4))).orElseThrow(),
        ProcessHandle.of(Long.parseLong(t1.group(5))).orElseThrow());
    assertThat(served).allMatch(ProcessHandle::isAlive);

    InitStageOutput second = initStage("t2-dev", "rollout:r1:dev");
    Matcher t2 = ready("t2-dev");
    assertThat(t2.group(2)).isEqualTo("idle");
    assertThat(List.of(t2.group(3), t2.group(4), t2.group(5))).containsExactly(t1.group(3), t1.group(4), t1.group(5));
    // the first stage's credential no longer opens the pod
    var stub = LiteEngineGrpc.newBlockingStub(liteEngines.channel(second.liteEngineAddress()))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(firstToken)))
        .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThatThrownBy(() -> stub.executeStep(ExecuteStepHandler.request(applyTo("t2-dev", second, dbs.get(1)))))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThat(dbs.get(1).tableExists("orders")).isFalse();
    assertApplied(second, "t2-dev", dbs.get(1));
    run(cleanup, TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", "t2-dev"));

    // no key: never the idle pod of another stage
    initStage("t3-dev", null);
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .filteredOn(m -> m.startsWith("Pod t3-dev is ready"))
        .singleElement().satisfies(m -> assertThat(m).doesNotContain(t1.group(3), t1.group(4), t1.group(5)));
    run(cleanup, TaskTypes.CLEANUP_STAGE, new CleanupStagePayload("e1", "dev", "t3-dev"));

    runtime.close();
    await().atMost(Duration.ofSeconds(30)).until(() -> served.stream().noneMatch(ProcessHandle::isAlive));
    try (Stream<Path> files = Files.walk(work.resolve("state"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(CANARY);
      }
    }
  }

  private InitStageOutput initStage(String pod, String reuseKey) throws Exception {
    TaskOutcome outcome = run(init, TaskTypes.INIT_STAGE, new InitStagePayload("e1", "dev", pod, "dbops:dev", 1,
        Map.of(), List.of(new InitStagePayload.SecretEnv("DBOPS_DB_PASSWORD", "env:TEST_DB_PASSWORD")), 600)
        .withReuseKey(reuseKey));
    assertThat(outcome.status()).as(outcome.error()).isEqualTo(TaskStatus.SUCCEEDED);
    return Json.convert(outcome.output(), InitStageOutput.class);
  }

  private Matcher ready(String pod) {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).map(READY::matcher)
        .filter(m -> m.find() && m.group(1).equals(pod)).findFirst()
        .orElseThrow(() -> new AssertionError("pod " + pod + " was not served by a warm or idle pod: "
            + logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList()));
  }

  private void assertApplied(InitStageOutput pod, String podName, TestDatabase db) throws Exception {
    TaskOutcome apply = run(execute, TaskTypes.EXECUTE_STEP, applyTo(podName, pod, db));
    assertThat(apply.status()).as(apply.error()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(Json.convert(apply.output(), StepOutput.class).changesets()).extracting(StepOutput.ChangeSet::id)
        .contains("create-orders");
    assertThat(db.tableExists("orders")).isTrue();
  }

  private ExecuteStepPayload applyTo(String podName, InitStageOutput pod, TestDatabase db) {
    return new ExecuteStepPayload("e1", "dev", "apply", podName, pod.liteEngineAddress(), pod.stepPorts().get(0),
        new ExecuteStepPayload.StepSpec("apply", "changelog.yaml", work.toString(), db.jdbcUrl(), db.username(),
            "DBOPS_DB_PASSWORD", null, null, null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef(logService.url(), "executions/e1/stages/dev/steps/apply", "log-token"));
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(ExecuteStepHandler.AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  private static boolean logsContain(Path dir, String fileName, String text) throws Exception {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().equals(fileName)).toList()) {
        if (Files.readString(file).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  private static TaskOutcome run(TaskHandler handler, String type, Object payload) throws Exception {
    return handler.run(new Frame.TaskAssigned("t-" + type, type, 1, 300, 60, Json.tree(payload)));
  }
}
