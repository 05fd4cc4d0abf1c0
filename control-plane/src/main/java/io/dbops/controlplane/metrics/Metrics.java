package io.dbops.controlplane.metrics;

import io.dbops.api.ApiError;
import io.dbops.controlplane.http.Routes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.Javalin;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The control plane's meters and the unauthenticated {@code GET /metrics} (Prometheus text) and
 * {@code GET /readyz} endpoints. Thread-safe; counters may be incremented from any thread.
 */
public final class Metrics implements Routes {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter claims;
  private final Counter results;
  private final Counter noEligible;
  private volatile BooleanSupplier ready = () -> false;

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

  /** How {@code /readyz} decides (for example: the database answers). */
  public void readiness(BooleanSupplier check) {
    this.ready = check;
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

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void addTo(Javalin app) {
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(scrape()));
    app.get("/readyz", ctx -> {
      boolean ok;
      try {
        ok = ready.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) {
        ctx.json(Map.of("status", "ready"));
      } else {
        ctx.status(503).json(new ApiError("not_ready",
            "The control plane cannot reach its database; see the server log", List.of()));
      }
    });
  }
}
