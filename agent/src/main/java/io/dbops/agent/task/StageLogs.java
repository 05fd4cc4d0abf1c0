package io.dbops.agent.task;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.support.Json;
import io.dbops.support.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate's own log of each stage it runs, shipped to the stream the control plane names in
 * a task's {@code delegateLogStream} ({@code executions/<id>/<stage>/_delegate}): one {@link
 * LogShipper} per build pod, opened by the stage's first task on this instance (init, or a step
 * after a delegate restart) and finished by its cleanup, which closes the stream. Every line goes
 * through the pod's masker (and URL password masking) before it is queued, spooled or sent.
 *
 * <p>With a spool directory, lines wait there while the log service is unreachable and a later
 * process on the same directory delivers them; without one they wait in memory only. Thread-safe.
 * Owns its shippers; the {@link OkHttpClient} is the caller's. {@link #close} stops every shipper
 * (undelivered lines stay in the spool).
 */
public final class StageLogs implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StageLogs.class);
  /** How long a cleanup waits for the stage's delegate lines to be delivered. */
  static final Duration FINISH_DEADLINE = Duration.ofSeconds(10);

  private final OkHttpClient http;
  private final ShipperSettings settings;
  private final Map<String, LogShipper> byPod = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** @param spoolDir where undelivered lines wait (under the delegate's state directory); null for memory only */
  public StageLogs(OkHttpClient http, Path spoolDir) {
    this.http = http;
    this.settings = ShipperSettings.DEFAULT.withSpoolDir(spoolDir);
  }

  /**
   * The stage log of {@code podName} for a task's payload: its shipper, opened when this instance
   * has none yet. {@link StageLog#NONE} when the payload names no stream (an older control plane).
   */
  StageLog of(JsonNode payload, String podName, PodMaskers maskers) {
    JsonNode node = payload == null ? null : payload.get("delegateLogStream");
    if (node == null || !node.isObject() || podName == null || closed.get()) {
      return StageLog.NONE;
    }
    LogStreamRef ref = Json.convert(node, LogStreamRef.class);
    if (ref.serviceUrl() == null || ref.key() == null || ref.token() == null) {
      return StageLog.NONE;
    }
    LogShipper shipper = byPod.computeIfAbsent(podName, pod -> {
      // The pod's masker is looked up per line: it is known only once init has resolved the secrets.
      LogShipper s = new LogShipper(http, ref, settings, text -> maskers.get(pod).apply(Secrets.maskUrl(text)));
      s.start();
      return s;
    });
    return new StageLog(shipper);
  }

  /** Ends the stage's stream: delivers what is left (up to {@link #FINISH_DEADLINE}) and closes it. */
  void finish(String podName) {
    LogShipper shipper = podName == null ? null : byPod.remove(podName);
    if (shipper == null) {
      return;
    }
    shipper.finish();
    long undelivered = shipper.awaitDelivered(FINISH_DEADLINE);
    if (undelivered > 0) {
      log.warn("{} delegate log line(s) of pod {} not delivered within {} s{}", undelivered, podName,
          FINISH_DEADLINE.toSeconds(), settings.spoolDir() != null ? "; they stay in " + settings.spoolDir() : "");
    }
    shipper.close();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (LogShipper shipper : List.copyOf(byPod.values())) {
        shipper.close();
      }
      byPod.clear();
    }
  }
}
