package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;

/**
 * The CLI's client of the migration state API (docs/api.md "Migration state"). Thread-safe;
 * {@link #close} releases it.
 */
public final class StateClient implements AutoCloseable {
  private final ApiHttp http;

  public StateClient(ApiTarget target) {
    this.http = new ApiHttp(target, Duration.ofSeconds(60));
  }

  public JsonNode target(String name) {
    return http.get(http.url("api/v1/targets", name, "state"));
  }

  public JsonNode environment(String name) {
    return http.get(http.url("api/v1/environments", name, "state"));
  }

  public JsonNode diff(String from, String to) {
    return http.get(http.url("api/v1/diff").newBuilder().addQueryParameter("from", from)
        .addQueryParameter("to", to).build());
  }

  /** Starts a read-only refresh; the answer holds its execution id. */
  public JsonNode refreshTarget(String name) {
    return http.post(http.url("api/v1/targets", name, "refresh"), Map.of());
  }

  public JsonNode refreshEnvironment(String name) {
    return http.post(http.url("api/v1/environments", name, "refresh"), Map.of());
  }

  @Override
  public void close() {
    http.close();
  }
}
