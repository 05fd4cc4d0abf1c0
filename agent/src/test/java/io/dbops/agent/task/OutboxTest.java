package io.dbops.agent.task;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskStatus;
import io.dbops.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class OutboxTest {
  @TempDir Path dir;

  @Test
  void keepsEachResultInItsOwnFileUntilRemoved() {
    Outbox outbox = new Outbox(dir.resolve("outbox"), new FrameCodec());
    Frame.TaskResult ok = new Frame.TaskResult("t-1", 2, TaskStatus.SUCCEEDED, null, Json.tree(Map.of("a", 1)));
    Frame.TaskResult odd = new Frame.TaskResult("../weird id/", 1, TaskStatus.FAILED, "boom", null);

    assertThat(outbox.put(ok)).isTrue();
    assertThat(outbox.put(odd)).isTrue();

    Map<String, Frame.TaskResult> loaded = new Outbox(dir.resolve("outbox"), new FrameCodec()).load();
    assertThat(loaded).containsOnlyKeys("t-1", "../weird id/");
    assertThat(loaded.get("t-1")).isEqualTo(ok);
    assertThat(loaded.get("../weird id/")).extracting(Frame.TaskResult::status, Frame.TaskResult::error)
        .containsExactly(TaskStatus.FAILED, "boom");
    assertThat(outbox.fileOf("../weird id/").getParent()).isEqualTo(dir.resolve("outbox"));
    outbox.remove("t-1");
    assertThat(outbox.load()).containsOnlyKeys("../weird id/");
  }

  @Test
  void storesTheResultOfAnInterruptedTaskOnItsInterruptedThread() {
    Outbox outbox = new Outbox(dir.resolve("outbox"), new FrameCodec());
    Thread.currentThread().interrupt(); // as after an abort or a drain
    try {
      assertThat(outbox.put(new Frame.TaskResult("t-9", 1, TaskStatus.FAILED, "aborted: by user", null))).isTrue();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(new Outbox(dir.resolve("outbox"), new FrameCodec()).load()).containsOnlyKeys("t-9");
  }

  @Test
  void movesACorruptFileAsideWithOneWarningAndDropsInterruptedWrites() throws Exception {
    Path outboxDir = Files.createDirectories(dir.resolve("outbox"));
    Files.writeString(outboxDir.resolve("result-bad.json"), "{\"type\":\"task_result\",\"taskId\":");
    Files.writeString(outboxDir.resolve("result-half.json.tmp"), "{");
    Outbox outbox = new Outbox(outboxDir, new FrameCodec());
    outbox.put(new Frame.TaskResult("good", 1, TaskStatus.SUCCEEDED, null, null));

    Logger logger = (Logger) LoggerFactory.getLogger(Outbox.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      assertThat(outbox.load()).containsOnlyKeys("good");
    } finally {
      logger.detachAppender(appender);
    }

    assertThat(appender.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("result-bad.json is unreadable")
            .contains("moved aside to"));
    assertThat(outboxDir.resolve("result-bad.json.corrupt")).exists();
    assertThat(outboxDir.resolve("result-bad.json")).doesNotExist();
    assertThat(outboxDir.resolve("result-half.json.tmp")).doesNotExist();
  }
}
