package io.dbops.agent.runtime.local;

import io.dbops.secrets.Masker;
import io.dbops.secrets.MaskingLineSplitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a container process's output (stdout and stderr merged) to its log file, masked line by
 * line: text is joined into lines first ({@link MaskingLineSplitter}), so a secret split across
 * two writes of the process is still masked. Lines are cut at {@link #MAX_LINE_CHARS}. The file is
 * flushed whenever the process has nothing more to read, so the file's tail is current.
 *
 * <p>A warm pod's process outlives the pods it serves: {@link #redirect} moves the output to
 * another file, masker and ready line (the next pod's), and {@link #lineEndingWith} waits for a
 * line such as {@code dbops step runtime warm}. Both are thread-safe against the pump thread (one
 * lock around each line's masking and writing).
 *
 * <p>One thread per process, started by {@link #start}; it ends when the process closes its
 * output (normally when it exits), after writing the unfinished last line. It owns the file
 * writers; the process's stream is closed when it ends.
 */
final class OutputPump implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutputPump.class);
  /** Far above any secret's length; bounds the memory of a process that never ends a line. */
  static final int MAX_LINE_CHARS = 64 * 1024;

  private final InputStream output;
  private final Thread thread;
  private final Object lock = new Object();
  private Writer file; // guarded by lock
  private Path logFile; // guarded by lock
  private Masker masker; // guarded by lock
  private String readyLine; // guarded by lock
  private CompletableFuture<Void> ready = new CompletableFuture<>(); // guarded by lock
  private final List<Watch> watches = new ArrayList<>(); // guarded by lock
  private boolean ended; // guarded by lock

  private record Watch(String lineEnd, CompletableFuture<Void> seen) {}

  private OutputPump(InputStream output, Writer file, Path logFile, Masker masker, String readyLine,
      ThreadFactory threads) {
    this.output = output;
    this.file = file;
    this.logFile = logFile;
    this.masker = masker;
    this.readyLine = readyLine;
    this.thread = threads.newThread(this);
  }

  /**
   * Opens (appends to) {@code logFile} and starts copying {@code output} into it on a thread of
   * {@code threads} (daemon threads: a pump never holds the delegate up).
   *
   * @param readyLine the end of the line the process prints once it serves (for example {@code
   *     listening on port 20002}); {@link #ready} completes when a line ends with it; null for none
   */
  static OutputPump start(InputStream output, Path logFile, Masker masker, String readyLine,
      ThreadFactory threads) throws IOException {
    OutputPump pump = new OutputPump(output, open(logFile), logFile, masker, readyLine, threads);
    pump.thread.start();
    return pump;
  }

  private static Writer open(Path logFile) throws IOException {
    return Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * Completes when the process printed its ready line (it is written to the file first). Never
   * completes for a process that does not print it; readiness then falls back to probing. After a
   * {@link #redirect}, the ready line of the new target.
   */
  CompletableFuture<Void> ready() {
    synchronized (lock) {
      return ready;
    }
  }

  /** The file the output goes to now. */
  Path logFile() {
    synchronized (lock) {
      return logFile;
    }
  }

  /**
   * From the next line on, writes the output to {@code logFile} (appending), masked with {@code
   * masker}, and watches for {@code readyLine} (a fresh {@link #ready}); the previous file is
   * flushed and closed.
   *
   * @throws IOException when the new file cannot be opened (the output keeps its old target)
   */
  void redirect(Path logFile, Masker masker, String readyLine) throws IOException {
    Writer opened = open(logFile);
    synchronized (lock) {
      Writer previous = file;
      file = opened;
      this.logFile = logFile;
      this.masker = masker;
      this.readyLine = readyLine;
      ready = new CompletableFuture<>();
      try {
        previous.close();
      } catch (IOException e) {
        log.warn("Cannot close {}: {}", logFile, e.getMessage());
      }
    }
  }

  /**
   * Completes when a later line ends with {@code lineEnd} (for example {@code dbops lite engine
   * warm}); completes exceptionally when the output ends first.
   */
  CompletableFuture<Void> lineEndingWith(String lineEnd) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    synchronized (lock) {
      if (ended) {
        seen.completeExceptionally(new IOException("the process's output ended"));
      } else {
        watches.add(new Watch(lineEnd, seen));
      }
    }
    return seen;
  }

  /** Waits until the process's output has been copied to the end, at most {@code timeout}. */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  private void write(String raw) {
    synchronized (lock) {
      try {
        String line = masker.apply(raw);
        file.write(line);
        file.write('\n');
        boolean isReady = !ready.isDone() && readyLine != null && line.endsWith(readyLine);
        boolean watched = watches.stream().anyMatch(w -> line.endsWith(w.lineEnd()));
        if (isReady || watched) {
          file.flush();
        }
        if (isReady) {
          ready.complete(null);
        }
        if (watched) {
          watches.removeIf(w -> line.endsWith(w.lineEnd()) && w.seen().complete(null));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void flushFile() throws IOException {
    synchronized (lock) {
      file.flush();
    }
  }

  @Override
  public void run() {
    // masked per line in write(), with the masker of the pod the process serves at that line
    MaskingLineSplitter lines = new MaskingLineSplitter(Masker.NONE, MAX_LINE_CHARS, this::write);
    char[] buffer = new char[8192];
    try (Reader reader = new InputStreamReader(output, StandardCharsets.UTF_8)) {
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        lines.write(CharBuffer.wrap(buffer, 0, n));
        if (!reader.ready()) {
          flushFile();
        }
      }
      lines.flush();
    } catch (IOException | UncheckedIOException e) {
      // The process's output is lost from here on (a full disk, a deleted pod directory); say so
      // once, without the text.
      log.warn("Stopped copying output to {}: {}", logFile(), e.getMessage());
    } finally {
      synchronized (lock) {
        ended = true;
        watches.forEach(w -> w.seen().completeExceptionally(new IOException("the process's output ended")));
        watches.clear();
        try {
          file.close();
        } catch (IOException e) {
          log.warn("Cannot close {}: {}", logFile, e.getMessage());
        }
      }
    }
  }
}
