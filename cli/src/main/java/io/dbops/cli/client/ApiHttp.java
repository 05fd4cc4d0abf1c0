package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.support.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The one HTTP client of the CLI's API clients: it adds the API token to every request, turns an
 * error answer into {@link ApiCallException} (the server's own message; never a proxy's body) and an
 * I/O failure into {@link ControlPlaneUnreachableException}. Thread-safe. Owns its OkHttp client;
 * {@link #close} releases it.
 */
public final class ApiHttp implements AutoCloseable {
  static final MediaType JSON = MediaType.get("application/json");
  /** Names this client to the control plane (docs/api.md, "Who started an execution"). */
  public static final String CLIENT_HEADER = "X-Dbops-Client";

  private final ApiTarget target;
  private final OkHttpClient http;

  /** @param readTimeout longest wait for an answer (longer than any long poll the client makes) */
  public ApiHttp(ApiTarget target, Duration readTimeout) {
    this.target = target;
    this.http = new OkHttpClient.Builder()
        .connectTimeout(Duration.ofSeconds(10))
        .readTimeout(readTimeout)
        .writeTimeout(Duration.ofSeconds(30))
        .addInterceptor(chain -> {
          Request request = chain.request();
          if (target.token() != null && request.header("Authorization") == null) {
            request = request.newBuilder().header("Authorization", "Bearer " + target.token()).build();
          }
          // The control plane records "cli" as the source of executions this client starts.
          request = request.newBuilder().header(CLIENT_HEADER, "cli").build();
          return chain.proceed(request);
        })
        .build();
  }

  public ApiTarget target() {
    return target;
  }

  /** The OkHttp client, with the token interceptor, for streaming calls (the log tail). */
  public OkHttpClient client() {
    return http;
  }

  /** The base URL with {@code segments} appended; a segment may hold several path parts ("api/v1"). */
  public HttpUrl url(String... segments) {
    HttpUrl.Builder b = target.base().newBuilder();
    for (String segment : segments) {
      for (String part : segment.split("/")) {
        b.addPathSegment(part);
      }
    }
    return b.build();
  }

  public JsonNode get(HttpUrl url) {
    return send(new Request.Builder().url(url).get().build());
  }

  public JsonNode post(HttpUrl url, Object body) {
    return send(new Request.Builder().url(url).post(RequestBody.create(Json.write(body), JSON)).build());
  }

  public JsonNode put(HttpUrl url, Object body) {
    return send(new Request.Builder().url(url).put(RequestBody.create(Json.write(body), JSON)).build());
  }

  public JsonNode delete(HttpUrl url) {
    return send(new Request.Builder().url(url).delete().build());
  }

  /** Sends {@code request}; the parsed JSON answer (JSON null for an empty body). */
  public JsonNode send(Request request) {
    try (Response response = http.newCall(request).execute()) {
      String body = response.body() == null ? "" : response.body().string();
      if (!response.isSuccessful()) {
        throw new ApiCallException(response.code(), error(response.code(), body), target);
      }
      return Json.mapper().readTree(body.isEmpty() ? "null" : body);
    } catch (IOException e) {
      throw new ControlPlaneUnreachableException("Cannot reach the control plane at " + target.base()
          + ": " + e.getMessage() + ". Is `dbops server` running there? Set --server or DBOPS_SERVER_URL.", e);
    }
  }

  /** The server's {@link ApiError}, or the status alone when the body is not one (a proxy's page). */
  static ApiError error(int status, String body) {
    try {
      ApiError error = Json.mapper().readValue(body, ApiError.class);
      if (error != null && error.message() != null) {
        return error;
      }
    } catch (IOException ignored) {
      // not an ApiError body: report the status only, never the body
    }
    return new ApiError("http_" + status, "HTTP " + status, List.of());
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
