package io.dbops.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a delegate JVM: its outbox survives and the next delegate on that directory delivers it. */
class KilledDelegateIT {
  @TempDir Path stateDir;
  private final FakeControlPlane controlPlane = new FakeControlPlane();
  private Process child;
  private Delegate delegate;

  @AfterEach
  void stop() throws Exception {
    if (child != null) {
      child.destroyForcibly();
    }
    if (delegate != null) {
      delegate.close();
    }
    controlPlane.close();
  }

  @Test
  void aRestartedDelegateDeliversTheResultLeftByAKilledOne() throws Exception {
    controlPlane.start();
    controlPlane.acceptNext();
    controlPlane.acceptNext();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    child = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), KilledDelegateMain.class.getName(), controlPlane.url(),
        stateDir.toString())
        .redirectErrorStream(true)
        .redirectOutput(stateDir.resolveSibling(stateDir.getFileName() + "-child.log").toFile())
        .start();
    FakeControlPlane.Session first = controlPlane.nextSession();
    first.next(Frame.Hello.class);
    first.welcome(15);
    first.send(new Frame.TaskOffer("t1", TaskTypes.NOOP));
    first.next(Frame.Claim.class);
    first.send(new Frame.TaskAssigned("t1", TaskTypes.NOOP, 2, 30, 60, Json.tree(Map.of())));
    Frame.TaskResult result = first.nextResult(Duration.ofSeconds(15));
    assertThat(result.status()).isEqualTo(TaskStatus.SUCCEEDED);

    child.destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed on the way out
    assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(outbox()).hasSize(1);

    delegate = new Delegate(controlPlane.config("dlg_t", stateDir, 1, Duration.ofMillis(300)), name -> null);
    delegate.start();
    FakeControlPlane.Session second = controlPlane.nextSession();
    second.next(Frame.Hello.class);
    second.welcome(15);
    assertThat(second.next(Frame.TaskResult.class)).isEqualTo(result);
    second.send(new Frame.ResultAck("t1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> outbox().isEmpty());
  }

  private List<Path> outbox() throws Exception {
    try (var files = Files.list(stateDir.resolve("outbox"))) {
      return files.toList();
    }
  }
}
