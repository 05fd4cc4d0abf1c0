package io.dbops.logship;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.support.Json;
import io.dbops.support.NamedThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the lines of one log stream to the control plane's log service, in order, in batches.
 *
 * <p>{@link #append} is called by one producer thread; lines get consecutive sequence numbers from
 * 1. A bounded queue applies backpressure: when the service falls behind, {@code append} blocks
 * rather than growing memory. One sender thread ({@code log-shipper-N}) posts batches and retries
 * failed ones with jittered exponential backoff; since appends are idempotent by sequence, a retry
 * never duplicates a line. {@link #close} flushes what is queued within a deadline and reports what
 * could not be delivered. The {@link OkHttpClient} is owned by the caller.
 *
 * <p>Not yet done (issue 6): spooling to disk while the service is unreachable.
 */
public final class LogShipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogShipper.class);
  private static final MediaType JSON = MediaType.get("application/json");

  /** Tuning knobs; the defaults suit a step's output. */
  public record Settings(int batchMaxLines, Duration flushInterval, int queueCapacity, Duration maxBackoff) {
    public static final Settings DEFAULT =
        new Settings(500, Duration.ofMillis(100), 10_000, Duration.ofSeconds(5));
  }

  private final OkHttpClient http;
  private final LogStreamRef stream;
  private final Settings settings;
  private final BlockingQueue<LogLine> queue;
  private final AtomicLong nextSeq = new AtomicLong(1);
  private final AtomicLong deliveredThrough = new AtomicLong(0);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch senderDone = new CountDownLatch(1);
  private final NamedThreadFactory threads = new NamedThreadFactory("log-shipper", true);
  private volatile long giveUpAtNanos = Long.MAX_VALUE;

  public LogShipper(OkHttpClient http, LogStreamRef stream, Settings settings) {
    this.http = http;
    this.stream = stream;
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
  }

  public void start() {
    threads.newThread(this::sendLoop).start();
  }

  /** Queues a line; blocks while the queue is full. Returns the line's sequence number. */
  public long append(String level, String text, long timestampMillis) throws InterruptedException {
    if (closing.get()) {
      throw new IllegalStateException("Log shipper for " + stream.key() + " is closed");
    }
    long seq = nextSeq.getAndIncrement();
    queue.put(new LogLine(seq, timestampMillis, level, text));
    return seq;
  }

  /** Number of lines appended so far. */
  public long appended() {
    return nextSeq.get() - 1;
  }

  /**
   * Flushes queued lines, waiting at most {@code deadline}, and stops the sender.
   *
   * @return the number of lines the log service had not acknowledged; 0 when all arrived
   */
  public long close(Duration deadline) {
    if (closing.compareAndSet(false, true)) {
      giveUpAtNanos = System.nanoTime() + deadline.toNanos();
    }
    try {
      senderDone.await(deadline.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return appended() - deliveredThrough.get();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  private void sendLoop() {
    List<LogLine> batch = new ArrayList<>(settings.batchMaxLines());
    try {
      while (true) {
        if (batch.isEmpty()) {
          LogLine first = queue.poll(settings.flushInterval().toMillis(), TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing.get() && queue.isEmpty()) {
              return;
            }
            continue;
          }
          batch.add(first);
          queue.drainTo(batch, settings.batchMaxLines() - 1);
        }
        if (!sendWithRetry(batch)) {
          return;
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      senderDone.countDown();
    }
  }

  /** Sends one batch until it is accepted; false when giving up at the close deadline. */
  private boolean sendWithRetry(List<LogLine> batch) throws InterruptedException {
    long backoffMillis = 100;
    int attempts = 0;
    while (true) {
      attempts++;
      String problem = post(batch);
      if (problem == null) {
        deliveredThrough.set(batch.get(batch.size() - 1).seq());
        return true;
      }
      if (System.nanoTime() > giveUpAtNanos) {
        log.warn(
            "Giving up on log stream {}: {} lines not delivered after {} attempts; last error: {}",
            stream.key(), appended() - deliveredThrough.get(), attempts, problem);
        return false;
      }
      if (attempts == 1 || attempts % 10 == 0) {
        log.warn("Log service at {} not accepting lines of {} (attempt {}): {}; retrying",
            stream.serviceUrl(), stream.key(), attempts, problem);
      }
      long sleep = ThreadLocalRandom.current().nextLong(backoffMillis / 2, backoffMillis + 1);
      Thread.sleep(sleep);
      backoffMillis = Math.min(backoffMillis * 2, settings.maxBackoff().toMillis());
    }
  }

  /** Posts a batch; null on success, otherwise a description of the failure. */
  private String post(List<LogLine> batch) {
    Request request =
        new Request.Builder()
            .url(stream.serviceUrl() + "/api/v1/logs")
            .header("Authorization", "Bearer " + stream.token())
            .post(RequestBody.create(Json.write(new AppendRequest(stream.key(), batch)), JSON))
            .build();
    try (Response response = http.newCall(request).execute()) {
      if (response.isSuccessful()) {
        return null;
      }
      return "HTTP " + response.code() + " " + bodyOf(response);
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static String bodyOf(Response response) {
    try {
      String body = response.body() == null ? "" : response.body().string();
      return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    } catch (IOException e) {
      return "";
    }
  }
}
