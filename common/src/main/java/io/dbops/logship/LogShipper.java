package io.dbops.logship;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.support.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the lines of one log stream to the control plane's log service: every line once, in
 * order, across outages and restarts (docs/logs.md). Used by the lite engine for step output; the
 * delegate's task logs are meant to use it too.
 *
 * <p><b>Producing.</b> {@link #append} may be called from any thread; each line first goes
 * through the line filter (the masking hook: the filter's output is all that ever leaves the
 * process or reaches the spool), is cut to {@link ShipperSettings#maxLineChars}, and is numbered.
 * The sequence numbers the log service sees continue the stream where it stands when the shipper
 * first reaches it.
 *
 * <p><b>Memory.</b> Lines wait in a queue bounded by lines and by estimated bytes; when it is
 * full, {@code append} blocks (backpressure). The shipper holds at most {@link
 * ShipperSettings#memoryBound()} bytes of line data.
 *
 * <p><b>Sending.</b> One sender thread ({@code log-shipper-<stream>}, see {@link Sender}) batches
 * by size and time and posts one batch at a time; appends are idempotent by sequence number, so a
 * retried batch never duplicates a line. Failures are retried with jittered exponential backoff;
 * refusals that can never succeed (a refused token, a closed stream) stop the shipper, logged once.
 *
 * <p><b>Spooling.</b> With a spool directory, a failed batch and every line after it go to
 * append-only segment files (fsync at each batch boundary) until the service accepts lines
 * again; the sender then delivers the spool in order and deletes it once caught up. A shipper
 * closed before everything was delivered leaves its lines in the spool; the next shipper of the
 * same stream in that directory, or {@link #resumeSpooled} in a later process, asks the service
 * where the stream stands and delivers the rest.
 *
 * <p><b>Lifecycle.</b> {@link #start} spawns the sender; {@link #finish} ends the stream (the
 * sender delivers what is left, closes the stream on the service and stops); {@link
 * #awaitDelivered} waits for that; {@link #close} stops at once (idempotent). The {@link
 * OkHttpClient} is owned by the caller, which sets its timeouts. Thread-safe.
 */
public final class LogShipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogShipper.class);

  private final LogStreamRef stream;
  private final ShipperSettings settings;
  private final UnaryOperator<String> lineFilter;
  private final LineQueue queue;
  private final LogServiceClient client;
  private final Sender sender;
  private final Object appendLock = new Object();
  private final AtomicLong appended = new AtomicLong(); // last index handed out
  private final AtomicLong acked = new AtomicLong(); // last index the service holds
  private final AtomicReference<Progress> progress = new AtomicReference<>();
  private final AtomicBoolean progressDirty = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean finishing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean stopping;
  private volatile String fatal;
  private volatile boolean resumed;
  private volatile Thread thread;

  /** A shipper without a line filter. */
  public LogShipper(OkHttpClient http, LogStreamRef stream, ShipperSettings settings) {
    this(http, stream, settings, UnaryOperator.identity());
  }

  /**
   * @param lineFilter applied to every line's text before it is queued, spooled or sent (the
   *     masking hook); must be thread-safe; a filter that throws withholds the line's text
   */
  public LogShipper(OkHttpClient http, LogStreamRef stream, ShipperSettings settings, UnaryOperator<String> lineFilter) {
    this.stream = stream;
    this.settings = settings;
    this.lineFilter = lineFilter;
    this.queue = new LineQueue(settings.queueMaxLines(), settings.queueMaxBytes());
    this.client = new LogServiceClient(http, stream);
    this.sender = new Sender(this);
  }

  private LogShipper(OkHttpClient http, LogSpool spool, ShipperSettings settings) {
    this(http, spool.ref(), settings, UnaryOperator.identity());
    adopt(spool);
  }

  /**
   * Shippers for the streams earlier processes left in {@code settings.spoolDir()}, not started.
   * Start and {@link #finish} each: it delivers its lines, closes its stream and deletes its
   * spool. Spools a live process holds are skipped, and so are streams {@code mayResume} refuses
   * (a spool names its log service and carries its token: a process must not ship another's lines
   * to a service it is not allowed to use); those stay where they are, untouched.
   *
   * @param mayResume whether a leftover stream may be resumed by this process, for example whether
   *     its service URL is the one this process ships to; must not throw
   */
  public static List<LogShipper> resumeSpooled(OkHttpClient http, ShipperSettings settings,
      Predicate<LogStreamRef> mayResume) {
    List<LogShipper> shippers = new ArrayList<>();
    if (settings.spoolDir() == null) {
      return shippers;
    }
    try {
      for (Path dir : LogSpool.leftovers(settings.spoolDir())) {
        LogSpool spool = null;
        try {
          spool = LogSpool.open(dir);
          if (!mayResume.test(spool.ref())) {
            log.warn("Not resuming log spool {}: its stream {} goes to log service {}, which this process may not"
                + " ship to; its lines stay there", dir, spool.ref().key(), Secrets.maskUrl(spool.ref().serviceUrl()));
            spool.close();
            continue;
          }
          shippers.add(new LogShipper(http, spool, settings));
        } catch (IOException | RuntimeException e) {
          closeQuietly(spool);
          log.info("Not resuming log spool {}: {}", dir, e.getMessage());
        }
      }
    } catch (IOException e) {
      log.warn("Cannot list the log spool directory {}: {}", settings.spoolDir(), e.toString());
    }
    return shippers;
  }

  private static void closeQuietly(LogSpool spool) {
    if (spool == null) {
      return;
    }
    try {
      spool.close();
    } catch (IOException e) {
      log.debug("Cannot close log spool {}", spool.dir(), e);
    }
  }

  /** Spawns the sender, first adopting a spool an earlier shipper of this stream left behind. Call once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Log shipper for " + stream.key() + " already started");
    }
    if (!resumed && settings.spoolDir() != null) {
      Path dir = LogSpool.dirOf(settings.spoolDir(), stream);
      if (Files.isRegularFile(dir.resolve(LogSpool.IDENTITY))) {
        try {
          adopt(LogSpool.open(dir));
        } catch (IOException | RuntimeException e) {
          log.warn("Cannot resume the log spool {} of {}: {}; its lines stay there", dir, stream.key(), e.getMessage());
        }
      }
    }
    Thread t = new Thread(sender::run, "log-shipper-" + shortName(stream.key()));
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void adopt(LogSpool spool) {
    sender.adopt(spool);
    appended.set(spool.lastIndex());
    acked.set(spool.acked());
    resumed = true;
    log.info("Resuming log stream {} from spool {}: {} line(s) not yet acknowledged", stream.key(), spool.dir(),
        spool.lastIndex() - spool.acked());
  }

  /**
   * Filters and queues a line, blocking while the queue is full.
   *
   * @param level DEBUG, INFO, WARN or ERROR (others are mapped, unknown ones become INFO)
   * @return the line's number in this shipper (from 1)
   * @throws IllegalStateException after {@link #finish} or {@link #close}
   */
  public long append(String level, String text, long timestampMillis) throws InterruptedException {
    String clean = cut(filter(text));
    String lvl = LogLevels.normalize(level);
    synchronized (appendLock) {
      if (finishing.get() || closed.get()) {
        throw new IllegalStateException("Log shipper for " + stream.key() + " is finished; no more lines");
      }
      long index = appended.get() + 1;
      if (fatal == null) {
        queue.put(new LogLine(index, timestampMillis, lvl, clean)); // false when closed: counted undelivered
      }
      appended.set(index);
      return index;
    }
  }

  /** Reports the step's progress; sent with the next batch, or on its own within a moment. */
  public void progress(Progress latest) {
    progress.set(latest);
    progressDirty.set(true);
  }

  /** Lines appended so far (a resumed shipper counts the lines it found in its spool). */
  public long appended() {
    return appended.get();
  }

  /** Lines appended but not (yet) acknowledged by the log service. */
  public long undelivered() {
    return Math.max(0, appended.get() - acked.get());
  }

  /** Why the stream can never be delivered, or null. */
  public String failure() {
    return fatal;
  }

  /** True when this shipper continues lines a previous shipper left in the spool. */
  public boolean resumed() {
    return resumed;
  }

  /** Ends the stream: no more lines; the sender delivers the rest, closes the stream and stops. */
  public void finish() {
    synchronized (appendLock) {
      finishing.set(true);
    }
    queue.wake();
  }

  /**
   * Waits until everything is delivered (after {@link #finish}) or the stream failed, at most
   * {@code timeout}.
   *
   * @return the lines not acknowledged by then; 0 when all arrived
   */
  public long awaitDelivered(Duration timeout) {
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException e) {
      // reported by the count
    }
    return undelivered();
  }

  /** Completes when the sender has stopped: everything delivered, the stream failed, or closed. */
  public CompletableFuture<Void> whenDone() {
    return done;
  }

  /**
   * Finishes, waits up to {@code deadline} for delivery, then closes.
   *
   * @return the lines the log service had not acknowledged (left in the spool when there is one)
   */
  public long close(Duration deadline) {
    finish();
    long undelivered = awaitDelivered(deadline);
    close();
    return undelivered;
  }

  /**
   * Stops the sender now (within a few seconds). Lines not yet delivered stay in the spool for a
   * successor when there is one; otherwise they are dropped and logged. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping = true;
    queue.close();
    client.cancel();
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(5_000);
        if (t.isAlive()) {
          t.interrupt();
          t.join(2_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        log.warn("Log shipper of {} did not stop within 7 s; its undelivered lines may be lost", stream.key());
        return;
      }
    }
    sender.park();
    done.complete(null);
  }

  @Override
  public String toString() {
    return "LogShipper[" + stream.key() + ", appended " + appended.get() + ", acked " + acked.get() + "]";
  }

  // State shared with the sender thread.
  LogStreamRef stream() {
    return stream;
  }

  ShipperSettings settings() {
    return settings;
  }

  LineQueue queue() {
    return queue;
  }

  LogServiceClient client() {
    return client;
  }

  AtomicLong acked() {
    return acked;
  }

  long appendedIndex() {
    return appended.get();
  }

  boolean finishing() {
    return finishing.get();
  }

  boolean stopping() {
    return stopping;
  }

  String fatal() {
    return fatal;
  }

  void fail(String problem) {
    fatal = problem;
  }

  /** The latest progress if not sent yet (then marked sent); null otherwise. */
  Progress takeProgress() {
    return progressDirty.getAndSet(false) ? progress.get() : null;
  }

  /** Marks progress as not sent (the request carrying it failed). */
  void progressNotSent() {
    progressDirty.set(true);
  }

  boolean progressPending() {
    return progressDirty.get();
  }

  void senderDone() {
    done.complete(null);
  }

  private String filter(String text) {
    try {
      String out = lineFilter.apply(text == null ? "" : text);
      return out == null ? "" : out;
    } catch (RuntimeException e) {
      // Never ship what the filter could not vouch for.
      return "[dbops: line withheld: the log line filter failed with " + e.getClass().getSimpleName() + "]";
    }
  }

  private String cut(String text) {
    int max = settings.maxLineChars();
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "… [" + (text.length() - end) + " more characters cut]";
  }

  private static String shortName(String key) {
    String name = key.startsWith("executions/") ? key.substring("executions/".length()) : key;
    return name.length() > 60 ? name.substring(name.length() - 60) : name;
  }
}
