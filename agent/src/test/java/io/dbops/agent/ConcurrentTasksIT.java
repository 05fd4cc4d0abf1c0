package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.config.DelegateConfig;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks that only wait (no-ops, steps waiting for their lite engine) hold no thread, over a real
 * WebSocket and real gRPC: 200 of them run on a few threads, and an abort or a timeout still stops
 * one (issue #19, "memory flat under 200 concurrent no-op tasks").
 */
class ConcurrentTasksIT {
  private static final String TOKEN = "dlg_concurrent-token";
  private static final int TASKS = 200;
  @TempDir Path stateDir;
  private FakeControlPlane controlPlane;
  private Delegate delegate;
  private Server liteEngine;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    if (liteEngine != null) {
      liteEngine.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    controlPlane.close();
  }

  @Test
  void twoHundredWaitingNoopTasksRunOnAFewThreadsAndAnAbortStillStopsOne() throws Exception {
    controlPlane.acceptNext();
    delegate = start(TASKS);
    FakeControlPlane.Session session = connect();
    AtomicInteger mostTaskThreads = new AtomicInteger();

    // Assigned without offers: the runner runs any assignment (as after a claim) up to its capacity.
    for (int i = 0; i < TASKS; i++) {
      session.send(new Frame.TaskAssigned("t" + i, TaskTypes.NOOP, 1, 600, 60,
          Json.tree(Map.of("sleepMillis", 600_000))));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      mostTaskThreads.accumulateAndGet(taskThreads(), Math::max);
      return runningCount() == TASKS;
    });
    mostTaskThreads.accumulateAndGet(taskThreads(), Math::max);

    // Two start/finish threads and the timer thread; before, one thread per task (200).
    assertThat(mostTaskThreads.get()).as("delegate-task* threads alive while %d no-ops ran", TASKS).isLessThan(10);

    session.send(new Frame.Abort("t7", "cancelled by alice"));
    Frame.TaskResult result = session.nextResult(Duration.ofSeconds(30));
    assertThat(result.taskId()).isEqualTo("t7");
    assertThat(result.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(result.error()).isEqualTo("aborted: cancelled by alice");
    await().atMost(Duration.ofSeconds(30)).until(() -> runningCount() == TASKS - 1);
  }

  @Test
  void aWaitingNoopTaskStillTimesOut() throws Exception {
    controlPlane.acceptNext();
    delegate = start(1);
    FakeControlPlane.Session session = connect();

    session.send(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 1, 1, 60, Json.tree(Map.of("sleepMillis", 600_000))));

    Frame.TaskResult result = session.nextResult(Duration.ofSeconds(30));
    assertThat(result.error()).isEqualTo("Task t1 (noop) timed out after 1 s");
    await().atMost(Duration.ofSeconds(30)).until(() -> runningCount() == 0);
  }

  @Test
  void anAbortOfARunningStepCancelsItsCallOnTheLiteEngine() throws Exception {
    CountDownLatch called = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    liteEngine = NettyServerBuilder.forPort(0).addService(new LiteEngineGrpc.LiteEngineImplBase() {
      @Override
      public void executeStep(ExecuteStepRequest request, StreamObserver<ExecuteStepResponse> responses) {
        // a step that runs until it is cancelled
        ((ServerCallStreamObserver<ExecuteStepResponse>) responses).setOnCancelHandler(cancelled::countDown);
        called.countDown();
      }
    }).build().start();
    controlPlane.acceptNext();
    delegate = start(1);
    FakeControlPlane.Session session = connect();
    session.send(new Frame.TaskAssigned("t1", TaskTypes.EXECUTE_STEP, 1, 600, 60,
        TaskLifecycleIT.stepPayload(liteEngine.getPort())));
    assertThat(called.await(30, TimeUnit.SECONDS)).as("the step reached the lite engine").isTrue();

    session.send(new Frame.Abort("t1", "cancelled by alice"));

    Frame.TaskResult result = session.nextResult(Duration.ofSeconds(30));
    assertThat(result.error()).isEqualTo("aborted: cancelled by alice");
    assertThat(cancelled.await(30, TimeUnit.SECONDS)).as("the lite engine saw the call cancelled").isTrue();
  }

  /** Threads of task runners alive in this JVM ({@code delegate-task-N}, {@code -async-N}, {@code -timeout-N}). */
  private static int taskThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("delegate-task"))
        .count();
  }

  private int runningCount() {
    try {
      String metrics = Endpoints.get(delegate.endpointsPort(), "/metrics").body();
      return (int) Double.parseDouble(metrics.lines().filter(l -> l.startsWith("dbops_delegate_tasks_running "))
          .findFirst().orElseThrow().split(" ")[1]);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private FakeControlPlane.Session connect() throws InterruptedException {
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
    return session;
  }

  private Delegate start(int capacity) {
    DelegateConfig config = controlPlane.config(TOKEN, stateDir, capacity, Duration.ofMillis(300));
    Delegate d = new Delegate(config, name -> null);
    d.start();
    return d;
  }
}
