package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.logs.LogService;
import io.dbops.controlplane.logs.LogSettings;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure strategies of a stage (onFailure: rollback | pause) on the real state machine, task
 * queue and store (H2), with an injected clock; the test plays the delegate by completing tasks.
 */
class StageRecoveryTest {
  private static final Duration PAUSE = Duration.ofMinutes(10);
  private static final String TAG = "dbops-pre-ex-1-20261207070000000";

  @TempDir Path dir;
  final AtomicLong now = new AtomicLong(Instant.parse("2026-12-07T07:00:00Z").toEpochMilli());
  final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };
  Database database;
  TaskQueue queue;
  ExecutionStore store;
  ExecutionProgress progress;
  LogService logs;
  final List<AuditEvent> audit = new ArrayList<>();

  @BeforeEach
  void start() {
    database = new Database("jdbc:h2:file:" + dir.resolve("cp").toAbsolutePath(), null, null, dir);
    database.start();
    Sql sql = new Sql(database.dataSource());
    queue = new TaskQueue(sql, clock, new Ids());
    logs = new LogService(database.dataSource(), clock, LogSettings.DEFAULT);
    store = new ExecutionStore(sql);
    progress = new ExecutionProgress(store, queue, logs, new TaskPayloads(() -> "http://cp", "img"), clock,
        audit::add, PAUSE);
  }

  @AfterEach
  void stop() {
    database.close();
  }

  private static Step step(String name, String type) {
    return new Step(name, type, "changelog.sql", "/work", null, null, null, null, Map.of(), null);
  }

  /** One stage "prod": apply, then drift; 60 s stage timeout unless given. */
  private String submit(String onFailure, Boolean allowIrreversible, int stageTimeout) {
    Stage stage = new Stage("prod", new io.dbops.pipeline.Database("jdbc:postgresql://db:5432/x", "app", null),
        List.of(step("apply", "apply"), step("check", "drift")), List.of(), stageTimeout, null, null, null,
        onFailure, allowIrreversible);
    Pipeline pipeline = new Pipeline("p", List.of(stage));
    ExecutionState state = new ExecutionState();
    ExecutionState.StageState s = new ExecutionState.StageState();
    s.name = "prod";
    for (Step st : stage.steps()) {
      ExecutionState.StepState x = new ExecutionState.StepState();
      x.name = st.name();
      x.type = st.type();
      s.steps.add(x);
    }
    state.stages.add(s);
    store.insert(new ExecutionRecord("ex-1", pipeline, "QUEUED", null, state, clock.millis(), null, null));
    progress.startExecution("ex-1");
    complete(TaskTypes.INIT_STAGE, TaskStatus.SUCCEEDED, null,
        Json.tree(new InitStageOutput("pod-1", "127.0.0.1:20001", List.of(20002, 20003))));
    return "ex-1";
  }

  /** The one queued task of {@code type}: claimed and completed as a delegate would, then fed back. */
  private Task complete(String type, TaskStatus status, String error, JsonNode result) {
    Task task = queued(type);
    assertThat(queue.claim(task.id(), "inst-1", "tok", clock.millis() + 60_000))
        .isEqualTo(TaskQueue.ClaimOutcome.ASSIGNED);
    Task done = queue.complete(task.id(), "inst-1", "tok", 1, status, error, result).orElseThrow();
    progress.onTaskFinished(done);
    return done;
  }

  private Task queued(String type) {
    List<Task> found = queue.unfinished("ex-1").stream()
        .filter(t -> t.status() == TaskStatus.QUEUED && t.type().equals(type)).toList();
    assertThat(found).as("queued %s tasks", type).hasSize(1);
    return found.get(0);
  }

  private static JsonNode stepResult(String status, String error, Map<String, String> outputs) {
    return Json.tree(new StepOutput(status, error, outputs, List.of(), 10, 1, 0));
  }

  private Task failApply(String error, Map<String, String> outputs) {
    return complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null, stepResult("FAILED", error, outputs));
  }

  private ExecutionView view() {
    return ExecutionStore.view(store.find("ex-1").orElseThrow());
  }

  private static final Map<String, String> APPLIED_TWO = Map.of("preStartTag", TAG, "changesetsApplied", "2");

  @Test
  void rollbackRollsTheTargetBackToThePreStartTagInTheSamePodThenFailsTheStage() {
    submit("rollback", null, 0);
    assertThat(queued(TaskTypes.EXECUTE_STEP).payload().path("step").path("requireReversible").asBoolean()).isTrue();
    failApply("Changeset changelog.sql::3::dbops failed: syntax error", APPLIED_TWO);

    Task rollback = queued(TaskTypes.EXECUTE_STEP);
    JsonNode p = rollback.payload();
    assertThat(p.path("stepName").asText()).isEqualTo("apply.rollback");
    assertThat(p.path(StageRecovery.RECOVERY_OF).asText()).isEqualTo("apply");
    assertThat(p.path("step").path("kind").asText()).isEqualTo("rollback");
    assertThat(p.path("step").path("tag").asText()).isEqualTo(TAG);
    assertThat(p.path("step").path("preTagPrefix").asText()).isEqualTo("dbops-pre-ex-1");
    assertThat(p.path("stepPort").asInt()).isEqualTo(20002);
    assertThat(p.path("podName").asText()).isEqualTo("pod-1");
    assertThat(rollback.pinnedInstance()).isEqualTo("inst-1");
    assertThat(view().status()).isEqualTo("RUNNING");
    assertThat(view().stages().get(0).recovery().status()).isEqualTo("ROLLING_BACK");

    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null,
        stepResult("SUCCEEDED", null, Map.of("rolledBack", "2", "removedTag", TAG)));
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    ExecutionView v = view();
    assertThat(v.status()).isEqualTo("FAILED");
    assertThat(v.error()).isEqualTo("Stage prod, step apply failed: Changeset changelog.sql::3::dbops failed: syntax"
        + " error; rolled back step apply to " + TAG + " (2 changeset(s))");
    ExecutionView.StageView stage = v.stages().get(0);
    assertThat(stage.status()).isEqualTo("FAILED");
    assertThat(stage.steps()).extracting(ExecutionView.StepView::status).containsExactly("FAILED", "SKIPPED");
    assertThat(stage.recovery().status()).isEqualTo("ROLLED_BACK");
    assertThat(stage.recovery().rollbacks()).singleElement()
        .satisfies(rb -> assertThat(rb.output().outputs()).containsEntry("rolledBack", "2"));
    assertThat(stage.recovery().notUndone()).isNull();
  }

  @Test
  void rollbackReportsTheHalfAppliedStatementsItCannotUndo() {
    submit("rollback", null, 0);
    failApply("Changeset c.sql::3::dbops failed: bad | Half-applied: statement 2 failed after 1 statement(s) ran;"
        + " [1] CREATE TABLE t (id INT). The changeset is not recorded", APPLIED_TWO);
    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null, stepResult("SUCCEEDED", null, Map.of("rolledBack", "2")));

    assertThat(view().stages().get(0).recovery().notUndone())
        .startsWith("step apply: the failed changeset was not recorded, so the rollback leaves what it ran before failing;")
        .contains("[1] CREATE TABLE t (id INT)");
  }

  @Test
  void aFailedRollbackFailsTheStageSayingSo() {
    submit("rollback", null, 0);
    failApply("boom", APPLIED_TWO);
    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null,
        stepResult("FAILED", "Rollback of changeset c.sql::2::dbops failed: no inverse", Map.of("rolledBack", "0")));
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    assertThat(view().status()).isEqualTo("FAILED");
    assertThat(view().error()).endsWith("rollback of step apply to " + TAG
        + " FAILED after 0 changeset(s): Rollback of changeset c.sql::2::dbops failed: no inverse");
    assertThat(view().stages().get(0).recovery().status()).isEqualTo("ROLLBACK_FAILED");
  }

  @Test
  void anApplyRefusedBeforeAnythingRanHasNothingToRollBack() {
    submit("rollback", null, 0);
    failApply("Refused before anything ran: ...", Map.of("changesetsApplied", "0"));

    Task cleanup = queued(TaskTypes.CLEANUP_STAGE);
    assertThat(cleanup).isNotNull();
    assertThat(view().stages().get(0).recovery().status()).isEqualTo("NOTHING_TO_UNDO");
    assertThat(view().error()).endsWith("; nothing was applied, nothing to roll back");
  }

  @Test
  void requireReversibleFollowsOnFailureAndAllowIrreversible() {
    submit("rollback", true, 0);
    assertThat(queued(TaskTypes.EXECUTE_STEP).payload().path("step").path("requireReversible").asBoolean()).isFalse();
  }

  @Test
  void failWithoutAStrategyCleansUpAtOnce() {
    submit(null, null, 0);
    assertThat(queued(TaskTypes.EXECUTE_STEP).payload().path("step").path("requireReversible").asBoolean()).isFalse();
    failApply("boom", APPLIED_TWO);
    queued(TaskTypes.CLEANUP_STAGE);
    assertThat(view().stages().get(0).recovery()).isNull();
  }

  @Test
  void pauseKeepsThePodAndRetryRunsTheFailedStepAgain() {
    submit("pause", null, 0);
    failApply("Changeset 3 failed: relation exists", APPLIED_TWO);

    ExecutionView paused = view();
    assertThat(paused.status()).isEqualTo("PAUSED");
    assertThat(paused.error()).isEqualTo("Paused: stage prod, step apply failed: Changeset 3 failed: relation exists");
    assertThat(paused.stages().get(0).status()).isEqualTo("PAUSED");
    assertThat(paused.stages().get(0).recovery().pauseDeadline())
        .isEqualTo(Instant.ofEpochMilli(now.get()).plus(PAUSE));
    assertThat(queue.unfinished("ex-1")).isEmpty(); // no cleanup: the pod is kept
    assertThat(store.paused()).containsExactly("ex-1");
    assertThat(audit).extracting(AuditEvent::action).contains("execution.pause");

    progress.resume("ex-1", "retry", "alice");
    Task retry = queued(TaskTypes.EXECUTE_STEP);
    assertThat(retry.payload().path("stepName").asText()).isEqualTo("apply");
    assertThat(retry.payload().path("stepPort").asInt()).isEqualTo(20002);
    // its own log stream: the first attempt's was closed when it ended
    assertThat(retry.payload().path("logStream").path("key").asText()).isEqualTo("executions/ex-1/prod/apply.retry1");
    assertThat(view().status()).isEqualTo("RUNNING");
    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null,
        stepResult("SUCCEEDED", null, Map.of("changesetsApplied", "1")));
    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null, stepResult("SUCCEEDED", null, Map.of()));
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    ExecutionView v = view();
    assertThat(v.status()).isEqualTo("SUCCEEDED");
    assertThat(v.error()).isNull();
    assertThat(v.stages().get(0).recovery().decision()).isEqualTo("retry");
    assertThat(v.stages().get(0).recovery().decidedBy()).isEqualTo("alice");
    assertThat(v.stages().get(0).recovery().retries()).isEqualTo(1);
    assertThat(audit).filteredOn(e -> e.action().equals("execution.resume"))
        .singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("retry"));
  }

  @Test
  void pauseThenRollbackRollsBackAndFails() {
    submit("pause", null, 0);
    failApply("boom", APPLIED_TWO);
    progress.resume("ex-1", "rollback", "alice");

    assertThat(queued(TaskTypes.EXECUTE_STEP).payload().path("step").path("tag").asText()).isEqualTo(TAG);
    complete(TaskTypes.EXECUTE_STEP, TaskStatus.SUCCEEDED, null, stepResult("SUCCEEDED", null, Map.of("rolledBack", "2")));
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    assertThat(view().status()).isEqualTo("FAILED");
    assertThat(view().stages().get(0).recovery().status()).isEqualTo("ROLLED_BACK");
    assertThat(view().stages().get(0).recovery().decision()).isEqualTo("rollback");
  }

  @Test
  void pauseThenAbortFailsAndDeletesThePod() {
    submit("pause", null, 0);
    failApply("boom", APPLIED_TWO);
    progress.resume("ex-1", "abort", "alice");
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    assertThat(view().status()).isEqualTo("FAILED");
    assertThat(view().error()).isEqualTo("Stage prod, step apply failed: boom; aborted by alice while paused");
  }

  @Test
  void theAbortRouteAlsoEndsAPause() {
    submit("pause", null, 0);
    failApply("boom", APPLIED_TWO);
    progress.abort("ex-1");
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    assertThat(view().status()).isEqualTo("FAILED");
    assertThat(view().stages().get(0).recovery().status()).isEqualTo("ABORTED");
  }

  @Test
  void aPauseTimesOutByTheClockAndIsAborted() {
    submit("pause", null, 0);
    failApply("boom", APPLIED_TWO);

    now.addAndGet(PAUSE.toMillis() - 1);
    progress.checkPauseTimeouts();
    assertThat(view().status()).isEqualTo("PAUSED");

    now.addAndGet(1);
    progress.checkPauseTimeouts();
    complete(TaskTypes.CLEANUP_STAGE, TaskStatus.SUCCEEDED, null, null);

    ExecutionView v = view();
    assertThat(v.status()).isEqualTo("FAILED");
    assertThat(v.error()).contains("no operator resumed it within the pause timeout (600 s");
    assertThat(v.stages().get(0).recovery().decision()).isEqualTo("timeout");
    assertThat(v.stages().get(0).recovery().decidedBy()).isEqualTo("system");
  }

  @Test
  void aPauseEndsBeforeThePodsOwnDeadline() {
    long started = now.get();
    submit("pause", null, 300); // the pod lives 300 s from the stage's start
    now.addAndGet(30_000);
    failApply("boom", APPLIED_TWO);

    assertThat(view().stages().get(0).recovery().pauseDeadline())
        .isEqualTo(Instant.ofEpochMilli(started + 300_000 - StageRecovery.POD_MARGIN.toMillis()));
  }

  @Test
  void aResumeOfAnExecutionThatIsNotPausedChangesNothing() {
    submit("pause", null, 0);
    progress.resume("ex-1", "retry", "alice");
    assertThat(view().status()).isEqualTo("RUNNING");
    assertThat(queue.unfinished("ex-1")).hasSize(1);
  }
}
