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
 * <p>One thread per process, started by {@link #start}; it ends when the process closes its
 * output (normally when it exits), after writing the unfinished last line. It owns the file
 * writer; the process's stream is closed when it ends.
 */
final class OutputPump implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OutputPump.class);
  /** Far above any secret's length; bounds the memory of a process that never ends a line. */
  static final int MAX_LINE_CHARS = 64 * 1024;

  private final InputStream output;
  private final Writer file;
  private final Path logFile;
  private final Masker masker;
  private final String readyLine;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Thread thread;

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
   *     listening on port 20002}); {@link #ready} completes when a line ends with it
   */
  static OutputPump start(InputStream output, Path logFile, Masker masker, String readyLine,
      ThreadFactory threads) throws IOException {
    Writer file = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    OutputPump pump = new OutputPump(output, file, logFile, masker, readyLine, threads);
    pump.thread.start();
    return pump;
  }

  /**
   * Completes when the process printed its ready line (it is written to the file first). Never
   * completes for a process that does not print it; readiness then falls back to probing.
   */
  CompletableFuture<Void> ready() {
    return ready;
  }

  /** Waits until the process's output has been copied to the end, at most {@code timeout}. */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }

  @Override
  public void run() {
    MaskingLineSplitter lines = new MaskingLineSplitter(masker, MAX_LINE_CHARS, line -> {
      try {
        file.write(line);
        file.write('\n');
        if (!ready.isDone() && line.endsWith(readyLine)) {
          file.flush();
          ready.complete(null);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    char[] buffer = new char[8192];
    try (Reader reader = new InputStreamReader(output, StandardCharsets.UTF_8); Writer out = file) {
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        lines.write(CharBuffer.wrap(buffer, 0, n));
        if (!reader.ready()) {
          out.flush();
        }
      }
      lines.flush();
    } catch (IOException | UncheckedIOException e) {
      // The process's output is lost from here on (a full disk, a deleted pod directory); say so
      // once, without the text.
      log.warn("Stopped copying output to {}: {}", logFile, e.getMessage());
    }
  }
}
