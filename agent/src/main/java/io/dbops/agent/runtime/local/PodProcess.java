package io.dbops.agent.runtime.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * One container of a local pod: a process, the port it serves gRPC on, its log file and the pump
 * that writes the process's masked output into it.
 *
 * @param container "lite-engine", "step-1", "step-2", ...
 * @param recordFile its record in {@code <stateDir>/pod-processes} ({@link PodProcessRecords})
 */
record PodProcess(String container, int port, Process process, Path logFile, OutputPump pump, Path recordFile) {
  /** How long a failure message waits for the output of a process that exited to reach its file. */
  private static final Duration PUMP_DRAIN = Duration.ofSeconds(2);

  /** The last {@code n} lines of the container's (masked) log, for failure messages. */
  String logTail(int n) {
    if (!process.isAlive()) {
      try {
        pump.awaitEnd(PUMP_DRAIN);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Deque<String> tail = new ArrayDeque<>(n);
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      lines.forEach(line -> {
        if (tail.size() == n) {
          tail.removeFirst();
        }
        tail.addLast(line);
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
    }
    return tail.isEmpty() ? "(no output)" : String.join("\n", tail);
  }
}
