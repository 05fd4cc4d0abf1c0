package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.dbops.agent.policy.Allowlists;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.SecretEnv;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.dbops.testsupport.CountingServer;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confused deputy of issue 13, over a real WebSocket: a pipeline names the delegate's own
 * secrets and a "database" of its choosing. Every source is refused before any value is read, no
 * pod starts, and the stub database on 127.0.0.1 (which would receive the "password") never sees a
 * connection, neither from a step nor from a reachability check. A secret value with a NUL
 * character is refused naming only its variable, and the value reaches no result, log or file.
 */
class ConfusedDeputyIT {
  private static final String DELEGATE_TOKEN = "dlg_the-delegates-own-token-4711";
  private static final String NUL_CANARY = "nul-canary-value-8813";
  @TempDir Path work;
  private FakeControlPlane controlPlane;
  private Delegate delegate;
  private CountingServer database;
  private CountingServer liteEngine;
  private FakeControlPlane.Session session;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane().start();
    database = new CountingServer();
    liteEngine = new CountingServer();
    Path allowed = Files.createDirectories(work.resolve("secrets"));
    Files.createSymbolicLink(allowed.resolve("shadow"), Path.of("/etc/shadow"));
    Map<String, String> delegateEnv = Map.of("DBOPS_TOKEN", DELEGATE_TOKEN, "PGPASSWORD", "pg-host-password-99",
        "NUL_PASSWORD", "abc\0" + NUL_CANARY);
    controlPlane.acceptNext();
    delegate = new Delegate(controlPlane.config(DELEGATE_TOKEN, work.resolve("state"), 2, Duration.ofMillis(300))
        .toBuilder().allowlists(Allowlists.of(Map.of(
            "DBOPS_ALLOW_SECRET_ENV", "NUL_*",
            "DBOPS_ALLOW_SECRET_FILES", allowed + ",/etc/dbops",
            "DBOPS_ALLOW_SECRET_KUBERNETES", "*",
            "DBOPS_TOKEN_SECRET_NAME", "dbops-delegate-token",
            "DBOPS_ALLOW_HOSTS", "10.0.0.0/8:*")))
        .build(), delegateEnv::get);
    delegate.start();
    session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
  }

  @AfterEach
  void stop() throws Exception {
    delegate.close();
    controlPlane.close();
    database.close();
    liteEngine.close();
  }

  @Test
  void everySourceNamingTheDelegatesOwnSecretsIsRefusedBeforeAnythingIsReadOrStarted() throws Exception {
    Map<String, String> refusals = Map.of(
        "env:DBOPS_TOKEN", "Secret source env:DBOPS_TOKEN of variable DB_PASSWORD is never allowed (rule: secret"
            + " sources; DBOPS_* variables are the delegate's own settings)",
        "env:PGPASSWORD", "Secret source env:PGPASSWORD of variable DB_PASSWORD is not allowed (rule: secret sources;"
            + " to allow it add PGPASSWORD to DBOPS_ALLOW_SECRET_ENV on the delegate)",
        "file:/proc/self/environ", "Secret source file:/proc/self/environ of variable DB_PASSWORD is never allowed"
            + " (rule: secret sources; /proc, /sys, /dev and the delegate's state directory hold the delegate's own"
            + " secrets)",
        "file:/etc/shadow", "Secret source file:/etc/shadow of variable DB_PASSWORD is not allowed (rule: secret"
            + " sources; to allow it add the directory holding it to DBOPS_ALLOW_SECRET_FILES on the delegate)",
        "file:" + work.resolve("secrets/shadow"), "Secret source file:" + work.resolve("secrets/shadow")
            + " of variable DB_PASSWORD (it resolves to /etc/shadow) is not allowed (rule: secret sources; to allow"
            + " it add the directory holding it to DBOPS_ALLOW_SECRET_FILES on the delegate)",
        "kubernetes:dbops-delegate-token/token", "Secret source kubernetes:dbops-delegate-token/token of variable"
            + " DB_PASSWORD is never allowed (rule: secret sources; it is the delegate's own token Secret"
            + " (DBOPS_TOKEN_SECRET_NAME))");
    int n = 0;
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      String id = "init-" + (++n);
      Frame.TaskResult result = run(id, TaskTypes.INIT_STAGE, Json.tree(new InitStagePayload("e1", "dev", "pod-" + n,
          "img", 1, Map.of(), List.of(new SecretEnv("DB_PASSWORD", refusal.getKey())), 60)));

      assertThat(result.status()).as(refusal.getKey()).isEqualTo(TaskStatus.FAILED);
      assertThat(result.error()).as(refusal.getKey()).isEqualTo(refusal.getValue())
          .doesNotContain(DELEGATE_TOKEN, "pg-host-password-99");
    }
    assertThat(work.resolve("state/pods")).as("no pod was started").doesNotExist();
  }

  @Test
  void aStepAimedAtAHostOutsideTheAllowlistDialsNothing() throws Exception {
    ExecuteStepPayload payload = new ExecuteStepPayload("e1", "dev", "apply", "pod-1",
        "127.0.0.1:" + liteEngine.port(), 20002,
        new ExecuteStepPayload.StepSpec("apply", "changelog.xml", null,
            "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", "postgres", "DB_PASSWORD", null, null,
            null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/stages/dev/steps/apply", "log"));

    Frame.TaskResult result = run("step-1", TaskTypes.EXECUTE_STEP, Json.tree(payload));

    assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(result.error()).isEqualTo("Step apply refused: Database host 127.0.0.1:" + database.port()
        + " is not allowed (rule: hosts; to allow it add 127.0.0.1:" + database.port()
        + " to DBOPS_ALLOW_HOSTS on the delegate)");
    // a reachability check of the same target is declined without a connection either
    session.send(new Frame.TaskOffer("probe", TaskTypes.NOOP, "127.0.0.1:" + database.port()));
    assertThat(session.next(Frame.ClaimDeclined.class).reason())
        .isEqualTo("Database host 127.0.0.1:" + database.port() + " is not allowed (rule: hosts; to allow it add"
            + " 127.0.0.1:" + database.port() + " to DBOPS_ALLOW_HOSTS on the delegate)");
    assertThat(database.connections()).as("connections to the stub database").isZero();
    assertThat(liteEngine.connections()).as("connections to the lite engine").isZero();
  }

  @Test
  void aStepNamingHostFilesOrTheDelegatesStateAsItsChangelogReadsNothing() throws Exception {
    Path stateFile = work.resolve("state").resolve("outbox");
    Map<String, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put("/etc/passwd", "Step apply refused: Step changelog /etc/passwd is not allowed (rule: step files; to"
        + " allow it add the directory holding it to DBOPS_ALLOW_CHANGELOG_DIRS (comma list of absolute directories;"
        + " unset: none) on the delegate)");
    refusals.put(stateFile.toString(), "Step apply refused: Step changelog " + stateFile + " is never allowed (rule:"
        + " step files; the delegate's state directory holds its keys, spool and records)");
    int n = 0;
    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      ExecuteStepPayload payload = new ExecuteStepPayload("e1", "dev", "apply", "pod-1",
          "127.0.0.1:" + liteEngine.port(), 20002,
          new ExecuteStepPayload.StepSpec("apply", refusal.getKey(), null, "jdbc:h2:mem:x", null, null, null, null,
              null, 0, Map.of(), null),
          new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/stages/dev/steps/apply", "log"));

      Frame.TaskResult result = run("step-files-" + (++n), TaskTypes.EXECUTE_STEP, Json.tree(payload));

      assertThat(result.status()).as(refusal.getKey()).isEqualTo(TaskStatus.FAILED);
      assertThat(result.error()).as(refusal.getKey()).isEqualTo(refusal.getValue()).doesNotContain("root:");
    }
    // the step never reached a lite engine, so no step runtime read the file
    assertThat(liteEngine.connections()).as("connections to the lite engine").isZero();
  }

  @Test
  void aSecretValueWithANulCharacterIsRefusedNamingOnlyItsVariable() throws Exception {
    try (LogCapture logs = new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
      Frame.TaskResult result = run("init-nul", TaskTypes.INIT_STAGE, Json.tree(new InitStagePayload("e1", "dev",
          "pod-nul", "img", 1, Map.of(), List.of(new SecretEnv("DB_PASSWORD", "env:NUL_PASSWORD")), 60)));

      assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(result.error()).isEqualTo("The value of variable DB_PASSWORD contains a NUL character, which a"
          + " process environment cannot carry; it was not used");
      assertThat(logs.events()).isNotEmpty().allSatisfy(e -> assertThat(text(e)).doesNotContain(NUL_CANARY));
    }
    assertThat(work.resolve("state/pods")).doesNotExist();
    try (Stream<Path> files = Files.walk(work.resolve("state"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(NUL_CANARY);
      }
    }
  }

  private static String text(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getFormattedMessage());
    for (var t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(' ').append(t.getMessage());
    }
    return text.toString();
  }

  private Frame.TaskResult run(String id, String type, com.fasterxml.jackson.databind.JsonNode payload)
      throws Exception {
    session.send(new Frame.TaskOffer(id, type));
    assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo(id);
    session.send(new Frame.TaskAssigned(id, type, 1, 60, 60, payload));
    Frame.TaskResult result = session.nextResult(Duration.ofSeconds(20));
    session.send(new Frame.ResultAck(id));
    return result;
  }
}
