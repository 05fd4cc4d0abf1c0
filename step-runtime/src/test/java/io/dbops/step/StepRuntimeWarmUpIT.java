package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up of a warm step runtime runs real steps and leaves nothing behind that a binding could see. */
class StepRuntimeWarmUpIT {
  @TempDir Path tmp;

  @Test
  void leavesNoFileNoDatabaseNoThreadAndNoSystemPropertyBehind() throws Exception {
    Map<Object, Object> properties = new HashMap<>(System.getProperties());
    Set<String> threadsBefore = threadNames();
    StepRuntimeWarmUp warmUp = new StepRuntimeWarmUp(tmp, "dbops-warm-up-test");

    warmUp.warm();

    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("files left in the warm-up's temp root").isEmpty();
    }
    assertThatThrownBy(() -> DriverManager.getConnection(warmUp.jdbcUrl() + ";IFEXISTS=TRUE", "sa", "").close())
        .as("the warm-up's H2 database is gone").isInstanceOf(SQLException.class);
    assertThat(new HashMap<>(System.getProperties())).as("system properties").isEqualTo(properties);
    // gRPC's shared event loops end a second after their last user.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(newThreads(threadsBefore))
        .as("threads the warm-up started").isEmpty());
  }

  @Test
  void runsItsStepsForRealAndSaysSo() throws Exception {
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(StepRuntimeWarmUp.class);
    var appender = new ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>() {
      @Override
      protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
        lines.add(event.getFormattedMessage());
      }
    };
    appender.start();
    logger.addAppender(appender);
    try {
      new StepRuntimeWarmUp(tmp, "dbops-warm-up-said").warm();
    } finally {
      logger.detachAppender(appender);
    }
    assertThat(lines).singleElement().asString().startsWith("Warmed up in ");
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .collect(Collectors.toSet());
  }

  /** Threads alive now that were not before, but the JVM's and test framework's own. */
  private static Set<String> newThreads(Set<String> before) {
    Set<String> now = threadNames();
    now.removeAll(before);
    now.removeIf(name -> name.startsWith("Attach Listener") || name.startsWith("Common-Cleaner")
        || name.startsWith("process reaper") || name.startsWith("surefire") || name.startsWith("awaitility"));
    return now;
  }
}
