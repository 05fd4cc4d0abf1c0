package io.dbops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small client of the control plane's REST API for the end-to-end tests. */
final class ControlPlaneHttp {
  private final String baseUrl;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param token the API token sent with every call, or null for none */
  ControlPlaneHttp(String baseUrl, String token) {
    this.baseUrl = baseUrl.replaceAll("/$", "");
    this.token = token;
  }

  /** Queues a noop task; returns its id. */
  String submitNoop(long sleepMillis, int timeoutSeconds) throws IOException, InterruptedException {
    JsonNode created = send("POST", "/api/v1/tasks", Map.of("type", "noop",
        "payload", Map.of("sleepMillis", sleepMillis), "timeoutSeconds", timeoutSeconds));
    return created.get("id").asText();
  }

  JsonNode task(String id) throws IOException, InterruptedException {
    return send("GET", "/api/v1/tasks/" + id, null);
  }

  JsonNode delegates() throws IOException, InterruptedException {
    return send("GET", "/api/v1/delegates", null);
  }

  String createToken(String name) throws IOException, InterruptedException {
    return send("POST", "/api/v1/tokens", Map.of("name", name)).get("token").asText();
  }

  /** Creates a delegate token; the answer names its {@code id} and its value ({@code token}). */
  JsonNode createTokenRecord(String name) throws IOException, InterruptedException {
    return send("POST", "/api/v1/tokens", Map.of("name", name));
  }

  /** Revokes a delegate token ({@code DELETE /api/v1/tokens/{id}}). */
  void revokeToken(String id) throws IOException, InterruptedException {
    send("DELETE", "/api/v1/tokens/" + id, null);
  }

  /** GET of an API path with the admin token, the parsed answer. */
  JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  private JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException(method + " " + path + " → HTTP " + response.statusCode() + ": " + response.body());
    }
    return Json.mapper().readTree(response.body());
  }
}
