package io.dbops.logship;

import io.dbops.support.Backoff;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a shipper's {@code log-shipper-<stream>} thread does: takes batches off the queue and
 * posts them; on a retryable failure hands over to {@link SpoolingSender} (or, without a spool
 * directory, retries the batch while the queue applies backpressure); learns the stream's base
 * from the service; handles a gap; closes the stream when finished. Its state belongs to that
 * thread, and to {@link LogShipper#close} once the thread has ended ({@link #park}).
 */
final class Sender {
  private static final Logger log = LoggerFactory.getLogger(Sender.class);
  /** How long the sender waits for a first line before looking at progress and the end of the stream. */
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int CLOSE_ATTEMPTS = 3;

  private final LogShipper shipper;
  private final ShipperSettings settings;
  private final LogStreamRef stream;
  private final LineQueue queue;
  private final Backoff.Attempts backoff;
  private final List<LogLine> batch = new ArrayList<>();
  private SpoolingSender spooling;
  private boolean spoolBroken;
  private long base = LogSpool.UNKNOWN;
  private int failures;
  private long outageStartNanos;
  private long lastWarnNanos;

  Sender(LogShipper shipper) {
    this.shipper = shipper;
    this.settings = shipper.settings();
    this.stream = shipper.stream();
    this.queue = shipper.queue();
    this.backoff = new Backoff.Attempts(new Backoff(settings.minBackoff(), settings.maxBackoff()));
  }

  /** Continues a spool left by an earlier shipper (before the thread starts). */
  void adopt(LogSpool spool) {
    spooling = new SpoolingSender(spool);
    base = spool.base();
  }

  void run() {
    try {
      while (!shipper.stopping()) {
        if (shipper.fatal() != null) {
          abandon();
          return;
        }
        boolean busy = spooling != null ? spooling.step(this) : memoryStep();
        if (!busy && shipper.finishing() && batch.isEmpty() && queue.isEmpty() && spooling == null
            && shipper.acked().get() >= shipper.appendedIndex() && !shipper.progressPending()) {
          closeStream();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      shipper.fail("the log spool failed: " + e);
      log.error("Log shipper of {} failed; its remaining lines cannot be delivered", stream.key(), e);
      abandon();
    } finally {
      shipper.senderDone();
    }
  }

  /** One step without a spool in use; false when there was nothing to do. */
  private boolean memoryStep() throws InterruptedException, IOException {
    if (batch.isEmpty()) {
      queue.drain(batch, settings.batchMaxLines(), settings.batchMaxBytes(), IDLE_WAIT_NANOS,
          settings.linger().toNanos());
    }
    if (batch.isEmpty() && !shipper.progressPending()) {
      return false;
    }
    SendOutcome outcome = send(batch);
    if (outcome instanceof SendOutcome.Accepted) {
      if (!batch.isEmpty()) {
        shipper.acked().set(batch.get(batch.size() - 1).seq());
      }
      batch.clear();
      recovered();
    } else if (outcome instanceof SendOutcome.Retryable r) {
      failed(r.problem());
      if (settings.spoolDir() != null && !spoolBroken) {
        spooling = SpoolingSender.start(this);
        spoolBroken = spooling == null;
      }
      if (spooling == null) {
        queue.pause(TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis()), false);
      }
    } else if (outcome instanceof SendOutcome.Gap g) {
      gap(g, batch.isEmpty() ? shipper.acked().get() + 1 : batch.get(0).seq());
    } else if (outcome instanceof SendOutcome.Fatal f) {
      shipper.fail(f.problem());
    }
    return true;
  }

  /** Sends lines (maybe none) with the progress, after learning the stream's base if needed. */
  SendOutcome send(List<LogLine> lines) throws IOException {
    if (base == LogSpool.UNKNOWN) {
      SendOutcome position = shipper.client().position();
      if (!(position instanceof SendOutcome.Accepted a)) {
        return position;
      }
      // The stream may already hold lines (a successor continuing it): number ours after them.
      base = a.through() - shipper.acked().get();
      if (spooling != null) {
        spooling.spool().setBase(base);
      }
    }
    Progress p = shipper.takeProgress();
    SendOutcome outcome = shipper.client().append(lines, base, p);
    if (p != null && !(outcome instanceof SendOutcome.Accepted)) {
      shipper.progressNotSent();
    }
    return outcome;
  }

  /** The service expects another sequence number than the batch's first. */
  void gap(SendOutcome.Gap g, long firstIndex) throws IOException {
    long expectedIndex = g.expectedSeq() - base;
    if (expectedIndex > firstIndex) {
      // It already holds part of the batch (acknowledged before a crash): skip those lines.
      shipper.acked().set(expectedIndex - 1);
      batch.removeIf(l -> l.seq() < expectedIndex);
      if (spooling != null) {
        spooling.spool().ack(expectedIndex - 1);
      }
      return;
    }
    if (spooling != null && spooling.spool().holds(expectedIndex)) {
      log.warn("Log service lost lines of {} it had acknowledged; resending from seq {}", stream.key(),
          g.expectedSeq());
      shipper.acked().set(expectedIndex - 1);
      spooling.spool().rewind(expectedIndex - 1);
      return;
    }
    long lost = firstIndex - expectedIndex;
    base = g.expectedSeq() - firstIndex;
    if (spooling != null) {
      spooling.spool().setBase(base);
    }
    log.error("Log stream {} is missing {} line(s) (seq {} to {}) that this shipper no longer holds; "
        + "continuing the stream at seq {}", stream.key(), lost, g.expectedSeq(), g.expectedSeq() + lost - 1,
        g.expectedSeq());
  }

  void failed(String problem) {
    long now = System.nanoTime();
    failures++;
    if (failures == 1) {
      outageStartNanos = now;
      lastWarnNanos = now;
      log.warn("Log service at {} is not accepting lines of {} ({}); {}", stream.serviceUrl(), stream.key(), problem,
          settings.spoolDir() != null ? "spooling them to " + settings.spoolDir()
              : "holding up to " + settings.queueMaxLines() + " lines in memory and retrying");
    } else if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
      lastWarnNanos = now;
      log.warn("Log service at {} still not accepting lines of {} after {} s and {} attempts: {}",
          stream.serviceUrl(), stream.key(), TimeUnit.NANOSECONDS.toSeconds(now - outageStartNanos), failures,
          problem);
    }
  }

  void recovered() {
    if (failures > 0) {
      log.info("Log service at {} accepts lines of {} again, after {} s and {} failed attempts",
          stream.serviceUrl(), stream.key(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStartNanos),
          failures);
      failures = 0;
    }
    backoff.reset();
  }

  /** Closes the stream on the service once every line is there; best effort. */
  private void closeStream() throws InterruptedException {
    if (!settings.closeStreamWhenDone() || shipper.appendedIndex() == 0 || base == LogSpool.UNKNOWN) {
      return;
    }
    for (int attempt = 1; attempt <= CLOSE_ATTEMPTS && !shipper.stopping(); attempt++) {
      SendOutcome outcome = shipper.client().close(base + shipper.appendedIndex());
      if (outcome instanceof SendOutcome.Retryable && attempt < CLOSE_ATTEMPTS) {
        queue.pause(TimeUnit.MILLISECONDS.toNanos(backoff.nextDelayMillis()), false);
        continue;
      }
      if (!(outcome instanceof SendOutcome.Accepted)) {
        log.debug("Log stream {} not closed ({}); the service closes idle streams itself", stream.key(), outcome);
      }
      return;
    }
  }

  /** The stream can never be delivered: drop everything, once, loudly. */
  private void abandon() {
    queue.close();
    long lost = shipper.undelivered();
    batch.clear();
    queue.drainAll();
    if (spooling != null) {
      spooling.delete();
      spooling = null;
    }
    log.error("Log stream {} cannot be delivered: {}. {} line(s) dropped.", stream.key(), shipper.fatal(), lost);
  }

  /** After the thread ended (close): keeps undelivered lines in the spool for a successor. */
  void park() {
    if (shipper.fatal() != null) {
      return;
    }
    List<LogLine> rest = new ArrayList<>(batch);
    rest.addAll(queue.drainAll());
    batch.clear();
    boolean pending = !rest.isEmpty() || (spooling != null && spooling.spool().hasUnacked());
    if (!pending) {
      if (spooling != null) {
        spooling.delete();
      }
      return;
    }
    if (settings.spoolDir() == null) {
      log.warn("{} line(s) of log stream {} were not delivered and are dropped (no spool directory)",
          shipper.undelivered(), stream.key());
      return;
    }
    try {
      if (spooling == null) {
        spooling = new SpoolingSender(LogSpool.openOrCreate(settings.spoolDir(), stream, base, shipper.acked().get()));
      }
      LogSpool spool = spooling.spool();
      rest.removeIf(l -> l.seq() <= spool.lastIndex());
      spool.append(rest);
      spool.close();
      log.info("{} undelivered line(s) of log stream {} are kept in {} for the next shipper", shipper.undelivered(),
          stream.key(), spool.dir());
    } catch (IOException | RuntimeException e) {
      log.warn("{} line(s) of log stream {} could not be kept in the spool and are lost: {}", shipper.undelivered(),
          stream.key(), e.toString());
    }
  }

  // For SpoolingSender (same thread).
  LogShipper shipper() {
    return shipper;
  }

  ShipperSettings settings() {
    return settings;
  }

  List<LogLine> batch() {
    return batch;
  }

  long base() {
    return base;
  }

  Backoff.Attempts backoff() {
    return backoff;
  }

  void spoolingDone() {
    spooling = null;
  }
}
