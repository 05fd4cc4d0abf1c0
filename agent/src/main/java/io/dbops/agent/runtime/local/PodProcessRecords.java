package io.dbops.agent.runtime.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of the local pod processes running from a state directory: one small properties file
 * per process in {@code <stateDir>/pod-processes/}, written when the process starts and deleted
 * when it stops, naming its pid, its start time (so that a pid reused by another process is not
 * mistaken for it), its pod and container, and the delegate instance (and the pid and start time
 * of the delegate process) that started it. A record
 * left by a killed delegate is how the next one finds the processes to kill.
 *
 * <p>Thread-safe (one file per process, written atomically).
 */
final class PodProcessRecords {
  private static final Logger log = LoggerFactory.getLogger(PodProcessRecords.class);
  static final String DIRECTORY = "pod-processes";
  private static final String SUFFIX = ".properties";

  /** One recorded process. */
  record Entry(long pid, Instant started, String pod, String container, String instance, Path file,
      long delegatePid, Instant delegateStarted) {
    Entry(long pid, Instant started, String pod, String container, String instance, Path file) {
      this(pid, started, pod, container, instance, file, -1, null);
    }
  }

  private final Path dir;
  private final String instanceId;

  PodProcessRecords(Path stateDir, String instanceId) {
    this.dir = stateDir.resolve(DIRECTORY);
    this.instanceId = instanceId;
  }

  Path directory() {
    return dir;
  }

  /**
   * Records a process just started; returns its record file.
   *
   * @throws IOException when the record cannot be written (the caller stops the process: an
   *     unrecorded process could outlive a killed delegate unnoticed)
   */
  Path add(String pod, String container, ProcessHandle process) throws IOException {
    Instant started = process.info().startInstant().orElse(null);
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(process.pid()));
    if (started != null) {
      p.setProperty("started", started.toString());
    }
    p.setProperty("pod", pod);
    p.setProperty("container", container);
    p.setProperty("instance", instanceId);
    ProcessHandle delegate = ProcessHandle.current();
    p.setProperty("delegatePid", Long.toString(delegate.pid()));
    delegate.info().startInstant().ifPresent(t -> p.setProperty("delegateStarted", t.toString()));
    Files.createDirectories(dir);
    Path file = dir.resolve(pod + "." + container + "." + process.pid() + SUFFIX);
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(out, "dbops local pod process");
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  /** Deletes a record; a record already gone is fine. Never throws. */
  void remove(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Cannot delete the pod process record {}: {}", file, e.getMessage());
    }
  }

  /** The records of other delegate instances than this one (readable or not: unreadable ones have pid -1). */
  List<Entry> leftByOthers() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
        Entry entry = read(file);
        if (!instanceId.equals(entry.instance())) {
          entries.add(entry);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("Cannot list the pod process records in {}: {}", dir, e.getMessage());
    }
    return entries;
  }

  private static Entry read(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
      long pid = Long.parseLong(p.getProperty("pid", "-1"));
      String started = p.getProperty("started");
      String delegateStarted = p.getProperty("delegateStarted");
      return new Entry(pid, started == null ? null : Instant.parse(started), p.getProperty("pod", "?"),
          p.getProperty("container", "?"), p.getProperty("instance", "?"), file,
          Long.parseLong(p.getProperty("delegatePid", "-1")),
          delegateStarted == null ? null : Instant.parse(delegateStarted));
    } catch (NoSuchFileException e) {
      return new Entry(-1, null, "?", "?", "?", file);
    } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
      log.warn("Unreadable pod process record {}: {}", file, e.getMessage());
      return new Entry(-1, null, "?", "?", "?", file);
    }
  }
}
