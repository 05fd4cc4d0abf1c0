package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.support.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The CLI's client of the secret store API ({@code /api/v1/secrets}, docs/api.md). Values go only
 * in request bodies, never in a URL, a message or an exception. Owns its OkHttp client; {@link
 * #close()} releases it. Thread-safe.
 */
public final class SecretClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");

  private final HttpUrl base;
  private final OkHttpClient http;

  public SecretClient(String baseUrl) {
    HttpUrl parsed = HttpUrl.parse(baseUrl);
    if (parsed == null) {
      throw new IllegalArgumentException("--server must be an http(s) URL, not '" + baseUrl + "'");
    }
    this.base = parsed;
    this.http = new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(Duration.ofSeconds(30))
        .writeTimeout(Duration.ofSeconds(30))
        .build();
  }

  /** Creates or replaces a secret; true when it was created. */
  public boolean put(String name, String value) {
    Request request = new Request.Builder().url(url(name))
        .put(RequestBody.create(Json.write(Map.of("value", value)), JSON)).build();
    return send(request).path("created").asBoolean();
  }

  /** Every secret's {@code name}, {@code createdAt} and {@code updatedAt}. */
  public JsonNode list() {
    return send(new Request.Builder().url(url(null)).get().build());
  }

  public void delete(String name) {
    send(new Request.Builder().url(url(name)).delete().build());
  }

  private HttpUrl url(String name) {
    HttpUrl.Builder b = base.newBuilder().addPathSegment("api").addPathSegment("v1").addPathSegment("secrets");
    return name == null ? b.build() : b.addPathSegment(name).build();
  }

  private JsonNode send(Request request) {
    try (Response response = http.newCall(request).execute()) {
      String body = response.body() == null ? "" : response.body().string();
      if (!response.isSuccessful()) {
        throw new ApiCallException(response.code(), error(response.code(), body));
      }
      return Json.mapper().readTree(body.isEmpty() ? "null" : body);
    } catch (IOException e) {
      throw new ControlPlaneUnreachableException("Cannot reach the control plane at " + base + ": "
          + e.getMessage() + ". Is `dbops server` running there? Set --server or DBOPS_SERVER_URL.", e);
    }
  }

  private static ApiError error(int status, String body) {
    try {
      ApiError error = Json.mapper().readValue(body, ApiError.class);
      if (error != null && error.message() != null) {
        return error;
      }
    } catch (IOException ignored) {
      // not an ApiError body (a proxy's page): report the status only, never the body
    }
    return new ApiError("http_" + status, "HTTP " + status, List.of());
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
