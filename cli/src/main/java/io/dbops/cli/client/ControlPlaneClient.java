package io.dbops.cli.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.Pipeline;
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
 * The CLI's client of the control plane's REST API ({@code docs/api.md}). Thread-safe. Owns its
 * OkHttp client; {@link #close()} releases it.
 */
public final class ControlPlaneClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final Duration LONG_POLL = Duration.ofSeconds(20);

  private final HttpUrl base;
  private final OkHttpClient http;

  public ControlPlaneClient(String baseUrl) {
    HttpUrl parsed = HttpUrl.parse(baseUrl);
    if (parsed == null) {
      throw new IllegalArgumentException("--server must be an http(s) URL, not '" + baseUrl + "'");
    }
    this.base = parsed;
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(LONG_POLL.plusSeconds(15))
            .writeTimeout(Duration.ofSeconds(30))
            .build();
  }

  public TokenCreated createToken(String name) {
    return call(post("api/v1/tokens", Map.of("name", name)), TokenCreated.class);
  }

  public List<JsonNode> listTokens() {
    return call(get(url("api/v1/tokens")), new TypeReference<List<JsonNode>>() {});
  }

  /** Submits a pipeline and returns the new execution's id. */
  public String submit(Pipeline pipeline) {
    return call(post("api/v1/executions", pipeline), JsonNode.class).path("id").asText();
  }

  public ExecutionView execution(String id) {
    return call(get(url("api/v1/executions", id)), ExecutionView.class);
  }

  public List<ExecutionView> executions(int limit) {
    HttpUrl url = url("api/v1/executions").newBuilder()
        .addQueryParameter("limit", Integer.toString(limit)).build();
    return call(get(url), new TypeReference<List<ExecutionView>>() {});
  }

  /** Lines after {@code cursor}; waits up to the long-poll time when there are none yet. */
  public LogPage logs(String executionId, long after) {
    return logs(executionId, after, LONG_POLL.toMillis());
  }

  /** Lines after {@code cursor}, without waiting. */
  public LogPage logsNow(String executionId, long after) {
    return logs(executionId, after, 0);
  }

  private LogPage logs(String executionId, long after, long waitMillis) {
    HttpUrl url = url("api/v1/executions", executionId, "logs").newBuilder()
        .addQueryParameter("after", Long.toString(after))
        .addQueryParameter("waitMillis", Long.toString(waitMillis))
        .build();
    return call(get(url), LogPage.class);
  }

  /** Revokes a delegate token; connected delegates using it finish their work and claim no more. */
  public void revokeToken(String id) {
    send(new Request.Builder().url(url("api/v1/tokens", id)).delete().build());
  }

  public String baseUrl() {
    return base.toString();
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private HttpUrl url(String... segments) {
    HttpUrl.Builder b = base.newBuilder();
    for (String segment : segments) {
      for (String part : segment.split("/")) {
        b.addPathSegment(part);
      }
    }
    return b.build();
  }

  private Request get(HttpUrl url) {
    return new Request.Builder().url(url).get().build();
  }

  private Request post(String path, Object body) {
    return new Request.Builder().url(url(path)).post(RequestBody.create(Json.write(body), JSON)).build();
  }

  private <T> T call(Request request, Class<T> type) {
    return Json.mapper().convertValue(send(request), type);
  }

  private <T> T call(Request request, TypeReference<T> type) {
    return Json.mapper().convertValue(send(request), type);
  }

  private JsonNode send(Request request) {
    try (Response response = http.newCall(request).execute()) {
      String body = response.body() == null ? "" : response.body().string();
      if (!response.isSuccessful()) {
        throw new ApiCallException(response.code(), parseError(response.code(), body));
      }
      return Json.mapper().readTree(body.isEmpty() ? "null" : body);
    } catch (IOException e) {
      throw new ControlPlaneUnreachableException(
          "Cannot reach the control plane at " + base + ": " + e.getMessage()
              + ". Is `dbops server` running there? Set --server or DBOPS_SERVER_URL.", e);
    }
  }

  private static ApiError parseError(int status, String body) {
    try {
      ApiError error = Json.mapper().readValue(body, ApiError.class);
      if (error != null && error.message() != null) {
        return error;
      }
    } catch (IOException ignored) {
      // not an ApiError body; fall through
    }
    return new ApiError("http_" + status, "HTTP " + status + (body.isBlank() ? "" : ": " + body), List.of());
  }
}
