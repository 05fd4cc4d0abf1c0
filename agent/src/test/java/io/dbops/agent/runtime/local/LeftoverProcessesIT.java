package io.dbops.agent.runtime.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Real processes: what a delegate killed with SIGKILL left running is killed by the next one on the
 * same state directory, process trees included; a pid reused by another process is not.
 */
class LeftoverProcessesIT {
  @TempDir Path stateDir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<ProcessHandle> toKill = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(LeftoverProcesses.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(logs);
    for (AutoCloseable c : toClose) {
      c.close();
    }
    toKill.forEach(ProcessHandle::destroyForcibly);
  }

  /** Each container process starts a {@code sleep} child first: a descendant to kill with it. */
  private static List<String> commandWithAChild() {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "sleep 600 & exec \"$0\" \"$@\""));
    command.addAll(LocalPodRuntimeIT.javaCommand());
    return command;
  }

  @Test
  void aPodLeftByAKilledDelegateIsKilledWithItsDescendantsAtTheNextStart() throws Exception {
    // the first instance "is killed": it is never closed, its processes keep running
    LocalPodRuntime killed = new LocalPodRuntime(commandWithAChild(), stateDir, Duration.ofSeconds(60), "i-killed");
    toClose.add(killed);
    killed.start(LocalPodRuntimeIT.pod("e1-dev", 1), LocalPodRuntimeIT.secrets());
    List<Path> records = records();
    assertThat(records).hasSize(2); // lite engine and step-1
    List<ProcessHandle> processes = ProcessHandle.current().children().toList();
    List<ProcessHandle> trees = new ArrayList<>(processes);
    processes.forEach(p -> trees.addAll(p.descendants().toList()));
    assertThat(trees).hasSizeGreaterThanOrEqualTo(4); // two containers, a sleep each
    assertThat(trees).allMatch(ProcessHandle::isAlive);

    LocalPodRuntime next = new LocalPodRuntime(commandWithAChild(), stateDir, Duration.ofSeconds(60), "i-next");
    toClose.add(next);
    assertThat(next.removeLeftovers()).isEqualTo(2);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(trees).noneMatch(ProcessHandle::isAlive));
    assertThat(records()).isEmpty();
    assertThat(logs.list).filteredOn(e -> e.getLevel().toString().equals("WARN"))
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("lite-engine of pod e1-dev", "by delegate instance i-killed",
            "1 descendant(s)", "an earlier delegate on this state directory left it running"))
        .anySatisfy(m -> assertThat(m).contains("step-1 of pod e1-dev"))
        .anySatisfy(m -> assertThat(m).contains("Removed 2 pod process record(s)", "killed 2 process(es)"));
    assertThat(next.removeLeftovers()).isZero();
  }

  @Test
  void aPidNowUsedByAnotherProcessIsLeftAloneAndItsRecordDeleted() throws Exception {
    Process other = new ProcessBuilder("sleep", "600").start();
    toKill.add(other.toHandle());
    Instant realStart = other.toHandle().info().startInstant().orElseThrow();
    PodProcessRecords oldRecords = new PodProcessRecords(stateDir, "i-old");
    Path record = oldRecords.add("e2-dev", "lite-engine", other.toHandle());
    // the recorded process started an hour before the one that has its pid now
    Properties fields = new Properties();
    try (var in = Files.newBufferedReader(record)) {
      fields.load(in);
    }
    assertThat(fields.getProperty("started")).isEqualTo(realStart.toString());
    fields.setProperty("started", realStart.minus(Duration.ofHours(1)).toString());
    try (var out = Files.newBufferedWriter(record)) {
      fields.store(out, null);
    }

    LocalPodRuntime next = new LocalPodRuntime(LocalPodRuntimeIT.javaCommand(), stateDir, Duration.ofSeconds(60),
        "i-next");
    toClose.add(next);
    assertThat(next.removeLeftovers()).isZero();

    assertThat(other.isAlive()).isTrue();
    assertThat(record).doesNotExist();
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("Left pid " + other.pid() + " alone", "is now another process"));
  }

  @Test
  void theProcessesOfAnotherDelegateStillRunningOnTheDirectoryAreLeftAlone() throws Exception {
    Process otherDelegate = new ProcessBuilder("sleep", "600").start();
    Process itsPod = new ProcessBuilder("sleep", "600").start();
    toKill.add(otherDelegate.toHandle());
    toKill.add(itsPod.toHandle());
    Path record = new PodProcessRecords(stateDir, "i-other").add("e4-dev", "lite-engine", itsPod.toHandle());
    Properties fields = new Properties();
    try (var in = Files.newBufferedReader(record)) {
      fields.load(in);
    }
    fields.setProperty("delegatePid", Long.toString(otherDelegate.pid()));
    fields.setProperty("delegateStarted", otherDelegate.toHandle().info().startInstant().orElseThrow().toString());
    try (var out = Files.newBufferedWriter(record)) {
      fields.store(out, null);
    }

    LocalPodRuntime next = new LocalPodRuntime(LocalPodRuntimeIT.javaCommand(), stateDir, Duration.ofSeconds(60),
        "i-next");
    toClose.add(next);
    assertThat(next.removeLeftovers()).isZero();

    assertThat(itsPod.isAlive()).isTrue();
    assertThat(record).exists();
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("Left 1 pod process(es) of delegate process " + otherDelegate.pid()
            + " alone: it still runs on this state directory", "give each delegate its own DBOPS_STATE_DIR"));
  }

  @Test
  void aStoppedPodLeavesNoRecordAndARunningPodOfThisInstanceIsNotALeftover() throws Exception {
    LocalPodRuntime runtime = new LocalPodRuntime(LocalPodRuntimeIT.javaCommand(), stateDir, Duration.ofSeconds(60),
        "i-1");
    toClose.add(runtime);
    runtime.start(LocalPodRuntimeIT.pod("e3-dev", 1), LocalPodRuntimeIT.secrets());
    assertThat(records()).hasSize(2);
    assertThat(runtime.removeLeftovers()).isZero();
    assertThat(records()).hasSize(2);

    runtime.stopAll();

    assertThat(records()).isEmpty();
  }

  private List<Path> records() throws Exception {
    Path dir = stateDir.resolve(PodProcessRecords.DIRECTORY);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
