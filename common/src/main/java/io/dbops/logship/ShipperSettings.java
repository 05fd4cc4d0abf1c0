package io.dbops.logship;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Tuning knobs of a {@link LogShipper}; {@link #DEFAULT} suits a step's output. Immutable.
 *
 * @param batchMaxLines lines per request, at most 10,000 (the service's limit)
 * @param batchMaxBytes about this much text per request
 * @param linger how long a part-full batch waits for more lines
 * @param queueMaxLines lines waiting in memory before {@code append} blocks
 * @param queueMaxBytes estimated heap of the waiting lines before {@code append} blocks
 * @param maxLineChars longer lines are cut (after filtering), with a note of how much was cut
 * @param spoolDir where undeliverable lines go; null to keep them in memory only (backpressure)
 * @param spoolMaxBytes spool size per stream beyond which lines wait in memory (backpressure)
 * @param closeStreamWhenDone close the stream on the service once finished and delivered
 */
public record ShipperSettings(
    int batchMaxLines, long batchMaxBytes, Duration linger, int queueMaxLines, long queueMaxBytes,
    int maxLineChars, Duration minBackoff, Duration maxBackoff, Path spoolDir, long spoolMaxBytes,
    boolean closeStreamWhenDone) {
  public static final ShipperSettings DEFAULT = new ShipperSettings(5000, 1L << 20, Duration.ofMillis(50), 20_000,
      8L << 20, 32 * 1024, Duration.ofMillis(100), Duration.ofSeconds(5), null, 1L << 30, true);

  public ShipperSettings {
    if (batchMaxLines < 1 || batchMaxLines > 10_000) {
      throw new IllegalArgumentException("batchMaxLines must be 1-10000, not " + batchMaxLines);
    }
    if (batchMaxBytes < 1024 || queueMaxBytes < batchMaxBytes || queueMaxLines < batchMaxLines) {
      throw new IllegalArgumentException("The queue (" + queueMaxLines + " lines, " + queueMaxBytes
          + " bytes) must hold at least one batch (" + batchMaxLines + " lines, " + batchMaxBytes
          + " bytes, at least 1024)");
    }
    if (maxLineChars < 256 || linger.isNegative() || minBackoff.isNegative() || minBackoff.isZero()
        || maxBackoff.compareTo(minBackoff) < 0 || spoolMaxBytes < (1 << 20)) {
      throw new IllegalArgumentException("Invalid log shipper settings: maxLineChars " + maxLineChars
          + " (min 256), linger " + linger + ", backoff " + minBackoff + "-" + maxBackoff
          + ", spoolMaxBytes " + spoolMaxBytes + " (min 1 MiB)");
    }
  }

  public ShipperSettings withSpoolDir(Path dir) {
    return new ShipperSettings(batchMaxLines, batchMaxBytes, linger, queueMaxLines, queueMaxBytes, maxLineChars,
        minBackoff, maxBackoff, dir, spoolMaxBytes, closeStreamWhenDone);
  }

  public ShipperSettings withBatch(int lines, long bytes, Duration newLinger) {
    return new ShipperSettings(lines, bytes, newLinger, queueMaxLines, queueMaxBytes, maxLineChars,
        minBackoff, maxBackoff, spoolDir, spoolMaxBytes, closeStreamWhenDone);
  }

  public ShipperSettings withQueue(int lines, long bytes) {
    return new ShipperSettings(batchMaxLines, batchMaxBytes, linger, lines, bytes, maxLineChars,
        minBackoff, maxBackoff, spoolDir, spoolMaxBytes, closeStreamWhenDone);
  }

  public ShipperSettings withBackoff(Duration min, Duration max) {
    return new ShipperSettings(batchMaxLines, batchMaxBytes, linger, queueMaxLines, queueMaxBytes, maxLineChars,
        min, max, spoolDir, spoolMaxBytes, closeStreamWhenDone);
  }

  public ShipperSettings withSpoolMaxBytes(long bytes) {
    return new ShipperSettings(batchMaxLines, batchMaxBytes, linger, queueMaxLines, queueMaxBytes, maxLineChars,
        minBackoff, maxBackoff, spoolDir, bytes, closeStreamWhenDone);
  }

  /**
   * Heap bytes a shipper may hold for line data: the full queue, plus the batch being sent (its
   * lines, and its JSON at up to six bytes per character when every character needs an escape),
   * plus one maximal line. 16.3 MiB with the defaults.
   */
  public long memoryBound() {
    return queueMaxBytes + 8 * batchMaxBytes + 8L * maxLineChars;
  }
}
