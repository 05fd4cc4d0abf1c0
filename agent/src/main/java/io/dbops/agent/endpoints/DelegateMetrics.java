package io.dbops.agent.endpoints;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delegate's meters (names as exported in Prometheus format):
 * {@code dbops_delegate_connected}, {@code dbops_delegate_reconnects_total},
 * {@code dbops_delegate_heartbeat_round_trip_seconds}, {@code dbops_delegate_tasks_claimed_total},
 * {@code dbops_delegate_tasks_rejected_total}, {@code dbops_delegate_tasks_declined_total},
 * {@code dbops_delegate_tasks_running}, {@code dbops_delegate_tasks_succeeded_total},
 * {@code dbops_delegate_tasks_failed_total}, {@code dbops_delegate_task_duration_seconds{type}}.
 * Thread-safe.
 */
public final class DelegateMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final Counter reconnects;
  private final Timer heartbeatRoundTrip;
  private final Counter claimed;
  private final Counter rejected;
  private final Counter declined;
  private final Counter succeeded;
  private final Counter failed;

  public DelegateMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("dbops.delegate.connected", connected, AtomicInteger::get)
        .description("1 while a session with the control plane is open and welcomed").register(registry);
    Gauge.builder("dbops.delegate.tasks.running", running, AtomicInteger::get)
        .description("tasks running now").register(registry);
    reconnects = Counter.builder("dbops.delegate.reconnects")
        .description("sessions lost or refused, each followed by a reconnect").register(registry);
    heartbeatRoundTrip = Timer.builder("dbops.delegate.heartbeat.round.trip")
        .description("round trip of the delegate's heartbeats").register(registry);
    claimed = Counter.builder("dbops.delegate.tasks.claimed")
        .description("tasks assigned to this delegate after a claim").register(registry);
    rejected = Counter.builder("dbops.delegate.tasks.rejected")
        .description("claims the control plane rejected").register(registry);
    declined = Counter.builder("dbops.delegate.tasks.declined")
        .description("offers declined because their target was unreachable").register(registry);
    succeeded = Counter.builder("dbops.delegate.tasks.succeeded").register(registry);
    failed = Counter.builder("dbops.delegate.tasks.failed").register(registry);
  }

  /** Meters that go nowhere; for tests and embedding without endpoints. */
  public static DelegateMetrics discarding() {
    return new DelegateMetrics(new SimpleMeterRegistry());
  }

  public void connected(boolean value) {
    connected.set(value ? 1 : 0);
  }

  public void reconnect() {
    reconnects.increment();
  }

  public void heartbeatRoundTrip(Duration roundTrip) {
    if (!roundTrip.isNegative()) {
      heartbeatRoundTrip.record(roundTrip);
    }
  }

  public void taskClaimed() {
    claimed.increment();
  }

  public void claimRejected() {
    rejected.increment();
  }

  public void offerDeclined() {
    declined.increment();
  }

  public void taskStarted() {
    running.incrementAndGet();
  }

  /** A started task ended after {@code duration}. */
  public void taskEnded(String taskType, boolean success, Duration duration) {
    running.decrementAndGet();
    (success ? succeeded : failed).increment();
    Timer.builder("dbops.delegate.task.duration").tag("type", taskType)
        .description("how long tasks ran").register(registry).record(duration);
  }

  /** A task that failed without starting (unknown type, over capacity). */
  public void taskFailedWithoutRunning() {
    failed.increment();
  }
}
