package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * The CLI's client of the secret store API ({@code /api/v1/secrets}, docs/api.md). Values go only
 * in request bodies, never in a URL, a message or an exception. Owns its HTTP client; {@link
 * #close()} releases it. Thread-safe.
 */
public final class SecretClient implements AutoCloseable {
  private final ApiHttp http;

  public SecretClient(ApiTarget target) {
    this.http = new ApiHttp(target, Duration.ofSeconds(30));
  }

  /** Creates or replaces a secret; true when it was created. */
  public boolean put(String name, String value) {
    return http.put(url(name), Map.of("value", value)).path("created").asBoolean();
  }

  /** Every secret's {@code name}, {@code createdAt} and {@code updatedAt}. */
  public JsonNode list() {
    return http.get(url(null));
  }

  public void delete(String name) {
    http.delete(url(name));
  }

  private HttpUrl url(String name) {
    HttpUrl secrets = http.url("api/v1/secrets");
    return name == null ? secrets : secrets.newBuilder().addPathSegment(name).build();
  }

  @Override
  public void close() {
    http.close();
  }
}
