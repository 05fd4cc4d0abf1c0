package io.dbops.controlplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * The control plane's meters, scraped as Prometheus text ({@link MetricsRoutes} on the main port,
 * {@link MetricsServer} on {@code DBOPS_METRICS_PORT}). Thread-safe; counters may be incremented
 * from any thread.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter claims;
  private final Counter results;
  private final Counter noEligible;

  public Metrics() {
    claims = Counter.builder("dbops_task_claims").description("Tasks assigned to a delegate")
        .register(registry);
    results = Counter.builder("dbops_task_results").description("Task results stored (first copy)")
        .register(registry);
    noEligible = Counter.builder("dbops_no_eligible_delegate_failures")
        .description("Queued tasks failed because no delegate could run them").register(registry);
  }

  /** Registers a gauge read at every scrape (for example a count query). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void claimed() {
    claims.increment();
  }

  public void resultStored() {
    results.increment();
  }

  public void noEligibleDelegate() {
    noEligible.increment();
  }

  /** A lapsed lease recovered; {@code outcome} is {@code requeued} or {@code failed}. */
  public void leaseRecovered(String outcome) {
    Counter.builder("dbops_lease_recoveries").description("Lapsed task leases recovered")
        .tag("outcome", outcome).register(registry).increment();
  }

  /** A call to an incoming webhook ({@code POST /hooks/{name}}), by outcome. */
  public void webhookCall(String outcome) {
    Counter.builder("dbops_webhook_calls").description("Incoming webhook calls by outcome")
        .tag("outcome", outcome).register(registry).increment();
  }

  /** An attempt to deliver a notification; {@code outcome} is {@code sent} or {@code failed}. */
  public void notificationDelivery(String outcome) {
    Counter.builder("dbops_notification_deliveries")
        .description("Notification delivery attempts by outcome").tag("outcome", outcome)
        .register(registry).increment();
  }

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}
