package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The CLI's client of the catalog API (environments, targets, pipelines, the declarative apply
 * and runs of stored pipelines; docs/api.md). Thread-safe; {@link #close} releases it.
 */
public final class CatalogClient implements AutoCloseable {
  static final MediaType YAML = MediaType.get("application/yaml");

  private final ApiHttp http;

  public CatalogClient(ApiTarget target) {
    this.http = new ApiHttp(target, Duration.ofSeconds(60));
  }

  /**
   * Sends a declarative document; relative search paths of its pipelines resolve against
   * {@code baseDirectory} (the file's directory). The answer lists each object's change.
   */
  public JsonNode apply(String document, String baseDirectory, boolean dryRun) {
    HttpUrl url = http.url("api/v1/apply").newBuilder()
        .addQueryParameter("baseDirectory", baseDirectory)
        .addQueryParameter("dryRun", Boolean.toString(dryRun)).build();
    return http.send(new Request.Builder().url(url).post(RequestBody.create(document, YAML))
        .build());
  }

  /** {@code kind} is a plural: environments, targets or pipelines. */
  public JsonNode list(String kind) {
    return http.get(http.url("api/v1", kind));
  }

  public JsonNode get(String kind, String name) {
    return http.get(http.url("api/v1", kind, name));
  }

  public JsonNode versions(String pipeline) {
    return http.get(http.url("api/v1/pipelines", pipeline, "versions"));
  }

  /** Runs a stored pipeline; the answer holds the execution id and the version run. */
  public JsonNode run(String pipeline, Map<String, String> inputs, Integer version) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("inputs", inputs);
    if (version != null) {
      body.put("version", version);
    }
    body.put("source", "cli");
    return http.post(http.url("api/v1/pipelines", pipeline, "runs"), body);
  }

  @Override
  public void close() {
    http.close();
  }
}
