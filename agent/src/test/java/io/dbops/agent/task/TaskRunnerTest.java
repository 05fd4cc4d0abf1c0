package io.dbops.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dbops.agent.endpoints.DelegateMetrics;
import io.dbops.agent.policy.Allowlists;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.Masker;
import io.dbops.support.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link TaskRunner} with deterministic threads and a manual clock ({@link ManualExecutors}): the
 * races of claim vs abort, timeout vs result, drain vs an in-flight claim, and delivery of a result
 * after a reconnect, each reproduced step by step.
 */
class TaskRunnerTest {
  private static final String TYPE = "noop";
  private static final String CANARY = "canary-secret-value-3141";
  @TempDir Path outbox;
  private ManualExecutors threads = new ManualExecutors();
  private final List<Frame> sent = new CopyOnWriteArrayList<>();
  private final AtomicBoolean connected = new AtomicBoolean(true);
  private final AtomicInteger runs = new AtomicInteger();
  /** How many tasks the runner counted as running at the moment it sent each result. */
  private final List<Integer> runningWhenResultSent = new CopyOnWriteArrayList<>();
  private TaskRunner runner;

  /** A handler that counts its runs and succeeds, or throws what {@code failure} says. */
  private TaskHandler handler(RuntimeException failure) {
    return new TaskHandler() {
      @Override
      public String taskType() {
        return TYPE;
      }

      @Override
      public TaskOutcome run(Frame.TaskAssigned task) {
        runs.incrementAndGet();
        if (failure != null) {
          throw failure;
        }
        return TaskOutcome.succeeded(Map.of());
      }

      @Override
      public Masker masker(Frame.TaskAssigned task) {
        return new Masker(List.of(CANARY));
      }
    };
  }

  /** The outcomes a waiting handler started, in order; it completes none itself. */
  private final List<CompletableFuture<TaskOutcome>> waits = new CopyOnWriteArrayList<>();

  /** A handler that waits without a thread, like the no-op and execute_step handlers. */
  private TaskHandler waitingHandler() {
    return new TaskHandler() {
      @Override
      public String taskType() {
        return TYPE;
      }

      @Override
      public TaskOutcome run(Frame.TaskAssigned task) throws Exception {
        return TaskThreads.await(start(task, TaskThreads.callerRuns()));
      }

      @Override
      public CompletableFuture<TaskOutcome> start(Frame.TaskAssigned task, TaskThreads taskThreads) {
        runs.incrementAndGet();
        CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
        waits.add(outcome);
        return outcome;
      }

      @Override
      public Masker masker(Frame.TaskAssigned task) {
        return new Masker(List.of(CANARY));
      }
    };
  }

  private void useWaitingHandler() {
    runner.close();
    threads = new ManualExecutors();
    runner = runner(waitingHandler());
  }

  private TaskRunner runner(TaskHandler handler) {
    TaskRunner r = new TaskRunner(2, List.of(handler), frame -> {
      if (!connected.get()) {
        return false;
      }
      if (frame instanceof Frame.TaskResult && runner != null) {
        runningWhenResultSent.add(runner.running());
      }
      sent.add(frame);
      return true;
    }, outbox, new DelegateMetrics(new SimpleMeterRegistry()),
        new ReachabilityCheck(Duration.ofSeconds(1), new DelegatePolicy(Allowlists.NONE, null)), threads::executors);
    r.start();
    return r;
  }

  @BeforeEach
  void start() {
    runner = runner(handler(null));
  }

  @AfterEach
  void stop() {
    runner.close();
  }

  private static Frame.TaskAssigned assigned(String id, int timeoutSeconds) {
    return new Frame.TaskAssigned(id, TYPE, 1, timeoutSeconds, 60, Json.tree(Map.of()));
  }

  private List<Frame.TaskResult> results() {
    return sent.stream().filter(Frame.TaskResult.class::isInstance).map(Frame.TaskResult.class::cast).toList();
  }

  /**
   * A delegate whose runtime has room for one more pod claims one init_stage offer, not a second
   * (the stage would fail at the pod limit; another delegate can take it), while other task types
   * are still claimed; once the first init ended, the next is claimed.
   */
  @Test
  void initStageOffersAreClaimedOnlyWhileTheRuntimeHasRoomForAPod() {
    runner.close();
    threads = new ManualExecutors();
    CompletableFuture<TaskOutcome> podStarted = new CompletableFuture<>();
    TaskHandler init = new TaskHandler() {
      @Override
      public String taskType() {
        return TaskTypes.INIT_STAGE;
      }

      @Override
      public TaskOutcome run(Frame.TaskAssigned task) throws Exception {
        return TaskThreads.await(start(task, TaskThreads.callerRuns()));
      }

      @Override
      public CompletableFuture<TaskOutcome> start(Frame.TaskAssigned task, TaskThreads taskThreads) {
        return podStarted;
      }
    };
    runner = new TaskRunner(10, List.of(init, handler(null)), frame -> sent.add(frame), outbox,
        new DelegateMetrics(new SimpleMeterRegistry()),
        new ReachabilityCheck(Duration.ofSeconds(1), new DelegatePolicy(Allowlists.NONE, null)), threads::executors,
        () -> 1);
    runner.start();

    runner.onFrame(new Frame.TaskOffer("i1", TaskTypes.INIT_STAGE));
    runner.onFrame(new Frame.TaskOffer("i2", TaskTypes.INIT_STAGE));
    runner.onFrame(new Frame.TaskOffer("n1", TYPE));
    assertThat(sent).filteredOn(Frame.Claim.class::isInstance).extracting(f -> ((Frame.Claim) f).taskId())
        .containsExactly("i1", "n1");

    runner.onFrame(new Frame.TaskAssigned("i1", TaskTypes.INIT_STAGE, 1, 60, 60, Json.tree(Map.of())));
    runner.onFrame(new Frame.TaskOffer("i2", TaskTypes.INIT_STAGE));
    assertThat(sent).filteredOn(Frame.Claim.class::isInstance).hasSize(2); // i1 runs: still no room
    podStarted.complete(TaskOutcome.succeeded(Map.of()));
    threads.runQueued();
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.taskId()).isEqualTo("i1"));

    runner.onFrame(new Frame.TaskOffer("i2", TaskTypes.INIT_STAGE));
    assertThat(sent).filteredOn(Frame.Claim.class::isInstance).extracting(f -> ((Frame.Claim) f).taskId())
        .containsExactly("i1", "n1", "i2");
  }

  @Test
  void anAbortArrivingBeforeTheTaskStartsWinsAndTheTaskNeverRuns() {
    runner.onFrame(new Frame.TaskOffer("t1", TYPE));
    runner.onFrame(assigned("t1", 60));
    runner.onFrame(new Frame.Abort("t1", "cancelled by alice"));
    threads.runQueued();

    assertThat(runs).hasValue(0);
    assertThat(results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(r.error()).isEqualTo("aborted: cancelled by alice");
    });
    assertThat(runner.running()).isZero();
  }

  @Test
  void aTaskTimesOutAtItsTimeoutOnceAndItsLateOutcomeIsDropped() {
    runner.onFrame(assigned("t1", 30));

    threads.advance(Duration.ofSeconds(29));
    assertThat(results()).isEmpty();
    threads.advance(Duration.ofSeconds(1));

    assertThat(results()).singleElement().satisfies(r ->
        assertThat(r.error()).isEqualTo("Task t1 (noop) timed out after 30 s"));
    threads.runQueued(); // the worker gets to the (cancelled) task only now
    assertThat(results()).hasSize(1);
    assertThat(runner.running()).isZero();
  }

  @Test
  void aFinishedTasksCapacityIsFreeBeforeItsResultIsSent() {
    // The control plane offers the next task as soon as it hears a result; an offer seen while the
    // runner still counts the finished task is not claimed (seen under load in DelegateIT).
    runner.onFrame(assigned("t1", 30));
    runner.onFrame(assigned("t2", 60));
    threads.advance(Duration.ofSeconds(30)); // t1 times out
    threads.runQueued(); // t2 succeeds

    assertThat(results()).extracting(Frame.TaskResult::taskId).containsExactlyInAnyOrder("t1", "t2");
    assertThat(runningWhenResultSent).containsExactly(1, 0);
  }

  @Test
  void aResultBeatsItsTimeoutAndTheTimeoutThenDoesNothing() {
    runner.onFrame(assigned("t1", 30));
    threads.runQueued();
    threads.advance(Duration.ofSeconds(60));

    assertThat(results()).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(TaskStatus.SUCCEEDED));
  }

  @Test
  void drainingHandsBackAClaimInFlightAndItsLateAssignment() {
    runner.onFrame(new Frame.TaskOffer("t1", TYPE));
    assertThat(sent).containsExactly(new Frame.Claim("t1"));

    runner.startDraining("delegate is shutting down");
    runner.onFrame(assigned("t1", 60)); // the assignment was already on its way
    runner.onFrame(new Frame.TaskOffer("t2", TYPE));
    threads.runQueued();

    assertThat(sent).containsExactly(new Frame.Claim("t1"), new Frame.TaskRelease("t1", "delegate is shutting down"),
        new Frame.TaskRelease("t1", "delegate is shutting down"));
    assertThat(runs).hasValue(0);
    assertThat(runner.running()).isZero();
  }

  @Test
  void aResultFinishedWhileDisconnectedIsSentAfterTheReconnectUntilAcknowledged() {
    runner.onFrame(assigned("t1", 60));
    connected.set(false);
    runner.onDisconnected();
    threads.runQueued();
    assertThat(results()).isEmpty();
    assertThat(runner.pendingResults()).isOne();

    connected.set(true);
    runner.onWelcome();
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.taskId()).isEqualTo("t1"));
    runner.onWelcome(); // another reconnect before the acknowledgement: sent again
    assertThat(results()).hasSize(2);
    runner.onFrame(new Frame.ResultAck("t1"));
    runner.onWelcome();
    assertThat(results()).hasSize(2);
    assertThat(runner.pendingResults()).isZero();
  }

  @Test
  void anUnexpectedExceptionQuotingASecretIsMaskedInTheResultTheLogAndTheOutbox() throws Exception {
    runner.close();
    threads = new ManualExecutors();
    runner = runner(handler(new IllegalArgumentException("Invalid environment variable value: \"" + CANARY + "\"",
        new IllegalStateException("cause quoting " + CANARY))));
    Logger logger = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      runner.onFrame(assigned("t1", 60));
      threads.runQueued();
    } finally {
      logger.detachAppender(logs);
    }

    assertThat(results()).singleElement().satisfies(r -> {
      assertThat(r.error()).isEqualTo("The delegate failed while running noop: java.lang.IllegalArgumentException:"
          + " Invalid environment variable value: \"**************\"");
      assertThat(r.error()).doesNotContain(CANARY);
    });
    assertThat(logs.list).isNotEmpty().allSatisfy(e -> {
      StringBuilder text = new StringBuilder(e.getFormattedMessage());
      for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        text.append(' ').append(t.getMessage());
      }
      assertThat(text.toString()).doesNotContain(CANARY);
    });
    // the trace is still logged, with its cause, masked
    assertThat(logs.list).filteredOn(e -> e.getThrowableProxy() != null).singleElement()
        .satisfies(e -> assertThat(e.getThrowableProxy().getCause().getMessage())
            .isEqualTo("java.lang.IllegalStateException: cause quoting **************"));
    try (Stream<Path> files = Files.walk(outbox)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).doesNotContain(CANARY);
      }
    }
  }

  @Test
  void aWaitingTaskHoldsNoWorkerThreadAndIsReportedWhenItsCallbackCompletesIt() {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 60));
    threads.runQueued();

    assertThat(waits).hasSize(1);
    assertThat(threads.workers.size()).isZero();
    assertThat(results()).isEmpty();
    assertThat(runner.running()).isOne();

    waits.get(0).complete(TaskOutcome.failed("step said " + CANARY, null));
    threads.runQueued();
    assertThat(results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(r.error()).isEqualTo("step said **************");
    });
    assertThat(runner.running()).isZero();
  }

  @Test
  void anAbortOfAWaitingTaskCancelsItsWaitAndReportsTheAbortOnce() {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 60));
    threads.runQueued();

    runner.onFrame(new Frame.Abort("t1", "cancelled by alice"));
    threads.runQueued();

    assertThat(waits.get(0)).isCancelled();
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.error()).isEqualTo("aborted: cancelled by alice"));
    assertThat(runner.running()).isZero();
  }

  @Test
  void aWaitingTaskTimesOutAndItsWaitIsCancelled() {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 30));
    threads.runQueued();

    threads.advance(Duration.ofSeconds(30));
    threads.runQueued();

    assertThat(waits.get(0)).isCancelled();
    assertThat(results()).singleElement().satisfies(r ->
        assertThat(r.error()).isEqualTo("Task t1 (noop) timed out after 30 s"));
  }

  @Test
  void anAbortWhileAWaitingTaskStartsCancelsTheWaitItStarted() {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 60));
    // The start is queued; the abort wins, so the handler is never started.
    runner.onFrame(new Frame.Abort("t1", "cancelled by alice"));
    threads.runQueued();

    assertThat(runs).hasValue(0);
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.error()).isEqualTo("aborted: cancelled by alice"));
  }

  @Test
  void closingReportsAWaitingTaskInterruptedKeepsItsResultInTheOutboxAndCancelsItsWait() throws Exception {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 60));
    threads.runQueued();

    runner.close();

    assertThat(waits.get(0)).isCancelled();
    assertThat(runner.pendingResults()).isOne();
    assertThat(results()).singleElement().satisfies(r ->
        assertThat(r.error()).isEqualTo("Task t1 was interrupted: the delegate is shutting down"));
    try (Stream<Path> files = Files.list(outbox)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".json"))).hasSize(1);
    }
  }

  @Test
  void drainingStopsAWaitingTaskWithTheShutdownError() {
    useWaitingHandler();
    runner.onFrame(assigned("t1", 60));
    threads.runQueued();

    assertThat(runner.stopRunning(TaskRunner.SHUT_DOWN_ERROR)).isOne();

    assertThat(waits.get(0)).isCancelled();
    assertThat(results()).singleElement().satisfies(r -> assertThat(r.error()).isEqualTo(TaskRunner.SHUT_DOWN_ERROR));
  }
}
