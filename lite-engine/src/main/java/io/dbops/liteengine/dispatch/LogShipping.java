package io.dbops.liteengine.dispatch;

import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lite engine's log shipping: one {@link LogShipper} per step, with the engine's settings
 * (spool directory) and line filter (masking). A step whose lines are not all delivered when it
 * ends hands its shipper to the backlog, which keeps delivering in the background; {@link #start}
 * puts streams an earlier lite engine left in the spool directory into the backlog too, when they
 * go to this engine's log service.
 *
 * <p>Lifecycle: {@link #start} once; {@link #close} closes every shipper (idempotent); their
 * undelivered lines stay in the spool for the next lite engine on that directory. The {@link
 * OkHttpClient} is owned by the caller. Thread-safe.
 */
public final class LogShipping implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogShipping.class);

  private final OkHttpClient http;
  private final ShipperSettings settings;
  private final UnaryOperator<String> lineFilter;
  private final Predicate<LogStreamRef> mayResume;
  private final Set<LogShipper> backlog = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param lineFilter applied to every line before it leaves the process (masking); thread-safe
   * @param mayResume whether a stream an earlier lite engine left in the spool may be resumed (its
   *     service URL must be this engine's {@code DBOPS_LOG_SERVICE_URL}); others stay untouched
   */
  public LogShipping(OkHttpClient http, ShipperSettings settings, UnaryOperator<String> lineFilter,
      Predicate<LogStreamRef> mayResume) {
    this.mayResume = mayResume;
    this.http = http;
    this.settings = settings;
    this.lineFilter = lineFilter;
  }

  /** Resumes the streams an earlier lite engine left in the spool directory. */
  public void start() {
    List<LogShipper> leftovers = LogShipper.resumeSpooled(http, settings, mayResume);
    for (LogShipper shipper : leftovers) {
      shipper.start();
      shipper.finish();
      adopt(shipper);
    }
    if (!leftovers.isEmpty()) {
      log.info("Delivering {} log stream(s) left in {} by an earlier lite engine", leftovers.size(),
          settings.spoolDir());
    }
  }

  /** A started shipper for one step's stream. */
  LogShipper open(LogStreamRef ref) {
    LogShipper shipper = new LogShipper(http, ref, settings, lineFilter);
    shipper.start();
    return shipper;
  }

  /**
   * Ends a step's stream and waits up to {@code deadline} for its lines to arrive; the rest keep
   * going in the background.
   *
   * @return the lines not delivered by the deadline
   */
  long finish(LogShipper shipper, Duration deadline) {
    shipper.finish();
    long undelivered = shipper.awaitDelivered(deadline);
    if (undelivered == 0 || shipper.failure() != null) {
      shipper.close();
    } else {
      adopt(shipper);
    }
    return undelivered;
  }

  /** Shippers still delivering in the background. */
  public int backlog() {
    return backlog.size();
  }

  private void adopt(LogShipper shipper) {
    if (closed.get()) {
      shipper.close();
      return;
    }
    backlog.add(shipper);
    shipper.whenDone().thenRun(() -> {
      backlog.remove(shipper);
      shipper.close();
    });
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (LogShipper shipper : List.copyOf(backlog)) {
        shipper.close();
      }
      backlog.clear();
    }
  }
}
