package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import okhttp3.HttpUrl;

/**
 * The CLI's client of the webhooks ({@code /api/v1/webhooks}) and notifications
 * ({@code /api/v1/notifications}) APIs (docs/api.md). A secret goes only in a request body. Owns
 * its HTTP client; {@link #close()} releases it. Thread-safe.
 */
public final class TriggerClient implements AutoCloseable {
  private final ApiHttp http;
  private final String collection;

  /** @param collection {@code webhooks} or {@code notifications} */
  public TriggerClient(ApiTarget target, String collection) {
    this.http = new ApiHttp(target, Duration.ofSeconds(30));
    this.collection = collection;
  }

  /** Creates one; the answer holds {@code secret} once when the server generated it. */
  public JsonNode create(Object definition) {
    return http.post(url(), definition);
  }

  public JsonNode list() {
    return http.get(url());
  }

  public JsonNode get(String name) {
    return http.get(url(name));
  }

  public JsonNode deliveries(String name, int limit) {
    return http.get(url(name, "deliveries").newBuilder()
        .addQueryParameter("limit", Integer.toString(limit)).build());
  }

  public void delete(String name) {
    http.delete(url(name));
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = http.url("api/v1/" + collection).newBuilder();
    for (String s : segments) {
      b.addPathSegment(s);
    }
    return b.build();
  }

  @Override
  public void close() {
    http.close();
  }
}
