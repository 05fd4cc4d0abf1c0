package io.dbops.logship;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender's mode while a spool is in use: new lines go to disk first (fsync per batch moved),
 * batches are read back from disk in order, acknowledged positions are recorded in the spool, and
 * the spool is deleted once everything on it was delivered. Used by the sender thread only.
 */
final class SpoolingSender {
  private static final Logger log = LoggerFactory.getLogger(SpoolingSender.class);

  private final LogSpool spool;
  private long nextAttemptNanos;
  private boolean positionChecked;

  SpoolingSender(LogSpool spool) {
    this.spool = spool;
  }

  /**
   * Switches a shipper whose batch just failed to spooling: the batch and the queue go to disk.
   * Returns null (the shipper keeps lines in memory) when the spool cannot be opened.
   */
  static SpoolingSender start(Sender sender) throws IOException, InterruptedException {
    LogShipper shipper = sender.shipper();
    LogSpool spool;
    try {
      spool = LogSpool.openOrCreate(shipper.settings().spoolDir(), shipper.stream(), sender.base(),
          shipper.acked().get());
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot spool log stream {} to {}: {}; holding its lines in memory instead",
          shipper.stream().key(), shipper.settings().spoolDir(), e.toString());
      return null;
    }
    SpoolingSender sending = new SpoolingSender(spool);
    sending.positionChecked = true; // we just talked to the service (or could not)
    spool.append(sender.batch());
    spool.sync();
    sender.batch().clear();
    sending.moveQueue(shipper);
    sending.nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sender.backoff().nextDelayMillis());
    return sending;
  }

  LogSpool spool() {
    return spool;
  }

  /** One step; always busy (waiting for the next attempt counts). */
  boolean step(Sender sender) throws IOException, InterruptedException {
    LogShipper shipper = sender.shipper();
    moveQueue(shipper);
    long wait = nextAttemptNanos - System.nanoTime();
    if (wait > 0) {
      // Keep taking lines off the queue while waiting, so producers do not block on an outage.
      shipper.queue().pause(Math.min(wait, Math.max(shipper.settings().linger().toNanos(), 20_000_000L)), false);
      return true;
    }
    if (!positionChecked && spool.base() != LogSpool.UNKNOWN) {
      // Resumed: the service may hold lines acknowledged after the spool last recorded its position.
      SendOutcome position = shipper.client().position();
      if (position instanceof SendOutcome.Accepted a) {
        long serviceIndex = a.through() - spool.base();
        if (serviceIndex > shipper.acked().get() && serviceIndex <= spool.lastIndex()) {
          shipper.acked().set(serviceIndex);
          spool.ack(serviceIndex);
        }
        positionChecked = true;
      } else if (position instanceof SendOutcome.Retryable r) {
        retryLater(sender, r.problem());
        return true;
      } else {
        positionChecked = true; // the append below reports the problem
      }
    }
    positionChecked = true;
    ShipperSettings settings = shipper.settings();
    List<LogLine> lines = spool.read(shipper.acked().get() + 1, settings.batchMaxLines(), settings.batchMaxBytes());
    if (lines.isEmpty()) {
      if (shipper.queue().isEmpty()) {
        log.info("Log stream {} caught up; deleting its spool {}", shipper.stream().key(), spool.dir());
        delete();
        sender.spoolingDone();
      }
      return true;
    }
    SendOutcome outcome = sender.send(lines);
    if (outcome instanceof SendOutcome.Accepted) {
      long last = lines.get(lines.size() - 1).seq();
      shipper.acked().set(last);
      spool.ack(last);
      sender.recovered();
    } else if (outcome instanceof SendOutcome.Retryable r) {
      retryLater(sender, r.problem());
    } else if (outcome instanceof SendOutcome.Gap g) {
      sender.gap(g, lines.get(0).seq());
    } else if (outcome instanceof SendOutcome.Fatal f) {
      shipper.fail(f.problem());
    }
    return true;
  }

  /** Deletes the spool (delivered, or never deliverable). */
  void delete() {
    try {
      spool.delete();
    } catch (IOException e) {
      log.warn("Cannot delete the log spool {}: {}", spool.dir(), e.toString());
    }
  }

  private void retryLater(Sender sender, String problem) {
    sender.failed(problem);
    nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sender.backoff().nextDelayMillis());
  }

  /** Moves queued lines to disk, one fsync per call; leaves them queued while the spool is full. */
  private void moveQueue(LogShipper shipper) throws IOException, InterruptedException {
    ShipperSettings settings = shipper.settings();
    List<LogLine> lines = new ArrayList<>();
    boolean wrote = false;
    while (spool.bytes() < settings.spoolMaxBytes()
        && shipper.queue().drain(lines, settings.batchMaxLines(), settings.batchMaxBytes(), 0, 0) > 0) {
      spool.append(lines);
      lines.clear();
      wrote = true;
    }
    if (wrote) {
      spool.sync();
    }
  }
}
