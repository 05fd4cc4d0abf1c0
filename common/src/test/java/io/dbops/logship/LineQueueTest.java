package io.dbops.logship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LineQueueTest {
  @Test
  void blocksOnItsByteBoundEvenWithRoomForMoreLines() throws Exception {
    String kb = "x".repeat(1024);
    LineQueue queue = new LineQueue(1000, 10 * LineQueue.footprint(new LogLine(0, 0, "INFO", kb)));
    for (int i = 1; i <= 10; i++) {
      assertThat(queue.put(new LogLine(i, 0, "INFO", kb))).isTrue();
    }
    CompletableFuture<Boolean> eleventh = CompletableFuture.supplyAsync(() -> put(queue, new LogLine(11, 0, "INFO", kb)));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !eleventh.isDone());

    List<LogLine> taken = new ArrayList<>();
    queue.drain(taken, 1, 1 << 20, 0, 0);

    assertThat(eleventh.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.size()).isEqualTo(10);
  }

  @Test
  void takesOneOversizedLineIntoAnEmptyQueueAndReleasesProducersOnClose() throws Exception {
    LineQueue queue = new LineQueue(10, 1000);
    assertThat(queue.put(new LogLine(1, 0, "INFO", "y".repeat(5000)))).isTrue();
    CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> put(queue, new LogLine(2, 0, "INFO", "z")));

    queue.close();

    assertThat(blocked.get(5, TimeUnit.SECONDS)).isFalse();
    assertThat(queue.drainAll()).hasSize(1);
  }

  private static boolean put(LineQueue queue, LogLine line) {
    try {
      return queue.put(line);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
