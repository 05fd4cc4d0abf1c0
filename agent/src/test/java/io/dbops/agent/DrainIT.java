package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.agent.task.TaskRunner;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graceful drain (SIGTERM) against a fake control plane on a real WebSocket. */
class DrainIT {
  @TempDir Path stateDir;
  private FakeControlPlane controlPlane;
  private Delegate delegate;

  @BeforeEach
  void start() throws Exception {
    controlPlane = new FakeControlPlane().start();
  }

  @AfterEach
  void stop() throws Exception {
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void drainHandsBackUnstartedTasksLetsRunningOnesFinishFailsTheRestAndSaysGoodbye() throws Exception {
    controlPlane.acceptNext();
    delegate = new Delegate(controlPlane.config("dlg_t", stateDir, 3, Duration.ofMillis(300)), name -> null);
    delegate.start();
    FakeControlPlane.Session session = controlPlane.nextSession();
    session.next(Frame.Hello.class);
    session.welcome(15);
    for (String id : List.of("quick", "slow", "unstarted")) {
      session.send(new Frame.TaskOffer(id, TaskTypes.NOOP));
      assertThat(session.next(Frame.Claim.class).taskId()).isEqualTo(id);
    }
    session.send(new Frame.TaskAssigned("quick", TaskTypes.NOOP, 1, 60, 60, Json.tree(Map.of("sleepMillis", 1000))));
    session.send(new Frame.TaskAssigned("slow", TaskTypes.NOOP, 1, 60, 60, Json.tree(Map.of("sleepMillis", 60_000))));
    await().atMost(Duration.ofSeconds(5)).until(() -> delegate.readiness().ready());

    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> delegate.drain(Duration.ofMillis(2500)));

    List<Frame> frames = new ArrayList<>();
    while (frames.isEmpty() || !(frames.get(frames.size() - 1) instanceof Frame.Goodbye)) {
      Frame frame = session.nextTaskFrame(10_000);
      assertThat(frame).as("frames so far: %s", frames).isNotNull();
      frames.add(frame);
      if (frame instanceof Frame.TaskRelease release && frames.stream().filter(Frame.TaskRelease.class::isInstance).count() == 1) {
        // an assignment that crossed the release on the wire is handed back too
        session.send(new Frame.TaskAssigned(release.taskId(), TaskTypes.NOOP, 1, 60, 60, null));
      }
      if (frame instanceof Frame.TaskResult result) {
        session.send(new Frame.ResultAck(result.taskId()));
      }
      if (frame instanceof Frame.Draining) {
        assertThat(delegate.readiness().reason()).isEqualTo("delegate is draining (shutting down)");
      }
    }
    drained.get(10, TimeUnit.SECONDS);

    assertThat(frames.get(0)).isInstanceOf(Frame.Draining.class);
    assertThat(frames).filteredOn(Frame.TaskRelease.class::isInstance)
        .extracting(f -> ((Frame.TaskRelease) f).taskId()).containsExactly("unstarted", "unstarted");
    List<Frame.TaskResult> results = frames.stream()
        .filter(Frame.TaskResult.class::isInstance).map(Frame.TaskResult.class::cast).toList();
    assertThat(results).extracting(Frame.TaskResult::taskId).containsExactly("quick", "slow");
    assertThat(results.get(0).status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(results.get(1).status()).isEqualTo(TaskStatus.FAILED);
    assertThat(results.get(1).error()).isEqualTo(TaskRunner.SHUT_DOWN_ERROR);
    assertThat(session.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
  }
}
