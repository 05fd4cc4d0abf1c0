package io.dbops.agent.runtime.local;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the pod processes that earlier delegate instances on the same state directory left
 * running (a delegate killed with SIGKILL cannot stop its pods): each recorded process whose pid
 * is alive AND started at the recorded time is killed with its descendants (descendants first,
 * then the process: Java has no process groups), logged at WARN; a pid now used by another
 * process (another start time) is left alone. Every record read is deleted, except those of a
 * delegate process that still runs (two delegates sharing a state directory: logged at WARN).
 */
final class LeftoverProcesses {
  private static final Logger log = LoggerFactory.getLogger(LeftoverProcesses.class);
  /** Two start times this close are the same process (the JDK derives them from clock ticks). */
  private static final Duration SAME_START = Duration.ofSeconds(1);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

  private final PodProcessRecords records;

  LeftoverProcesses(PodProcessRecords records) {
    this.records = records;
  }

  /** Kills the leftovers; returns how many recorded processes were killed. */
  int kill() {
    List<PodProcessRecords.Entry> entries = records.leftByOthers();
    List<ProcessHandle> killed = new ArrayList<>();
    List<PodProcessRecords.Entry> shared = new ArrayList<>();
    for (PodProcessRecords.Entry entry : entries) {
      if (startedByAnotherLiveDelegate(entry)) {
        shared.add(entry);
        continue;
      }
      Optional<ProcessHandle> process = entry.pid() > 0 ? ProcessHandle.of(entry.pid()) : Optional.empty();
      if (process.isPresent() && process.get().isAlive() && sameStart(process.get(), entry.started())) {
        ProcessHandle handle = process.get();
        List<ProcessHandle> descendants = handle.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        killed.add(handle);
        killed.addAll(descendants);
        log.warn("Killed pid {} ({} of pod {}, started {} by delegate instance {}) and {} descendant(s): an earlier"
            + " delegate on this state directory left it running", entry.pid(), entry.container(), entry.pod(),
            entry.started(), entry.instance(), descendants.size());
      } else if (process.isPresent() && process.get().isAlive()) {
        log.warn("Left pid {} alone: the record of {} of pod {} names it, but pid {} is now another process (started"
            + " {}, recorded {})", entry.pid(), entry.container(), entry.pod(), entry.pid(),
            process.get().info().startInstant().map(Instant::toString).orElse("at an unknown time"), entry.started());
      } else {
        log.info("Pod process record {}: pid {} ({} of pod {}) has already exited", entry.file().getFileName(),
            entry.pid(), entry.container(), entry.pod());
      }
      records.remove(entry.file());
    }
    if (!shared.isEmpty()) {
      log.warn("Left {} pod process(es) of delegate process {} alone: it still runs on this state directory ({}); give"
          + " each delegate its own DBOPS_STATE_DIR", shared.size(), shared.get(0).delegatePid(), records.directory());
    }
    // all killed first, then waited for together
    long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
    killed.forEach(p -> awaitExit(p, deadline));
    int recorded = (int) entries.stream().filter(e -> killed.stream().anyMatch(k -> k.pid() == e.pid())).count();
    if (entries.size() > shared.size()) {
      log.warn("Removed {} pod process record(s) left in {} by earlier delegate instances; killed {} process(es)",
          entries.size() - shared.size(), records.directory(), recorded);
    }
    return recorded;
  }

  /** The record names a delegate process that still runs and is not this one: its pods are not leftovers. */
  private static boolean startedByAnotherLiveDelegate(PodProcessRecords.Entry entry) {
    if (entry.delegatePid() <= 0 || entry.delegatePid() == ProcessHandle.current().pid()) {
      return false;
    }
    return ProcessHandle.of(entry.delegatePid()).filter(ProcessHandle::isAlive)
        .map(d -> sameStart(d, entry.delegateStarted())).orElse(false);
  }

  private static boolean sameStart(ProcessHandle process, Instant recorded) {
    Optional<Instant> actual = process.info().startInstant();
    return recorded != null && actual.isPresent()
        && Duration.between(recorded, actual.get()).abs().compareTo(SAME_START) < 0;
  }

  private static void awaitExit(ProcessHandle process, long deadline) {
    try {
      process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("pid {} did not exit within {} s of SIGKILL", process.pid(), EXIT_WAIT.toSeconds());
    }
  }
}
