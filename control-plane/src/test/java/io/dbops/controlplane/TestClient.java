package io.dbops.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** A small REST client for tests, over a real socket. */
final class TestClient {
  static final MediaType JSON = MediaType.get("application/json");

  record Reply(int code, String body) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    <T> T as(Class<T> type) {
      try {
        return Json.mapper().readValue(body, type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  final OkHttpClient http = new OkHttpClient.Builder()
      .readTimeout(Duration.ofSeconds(40))
      .callTimeout(Duration.ofSeconds(45))
      .build();
  final String baseUrl;
  /** Sent when a call names no bearer token; null sends none. */
  final String token;

  /** A client whose calls carry {@code token} unless they name another. */
  TestClient(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** A client for the embedded control plane, carrying its bootstrap admin token. */
  static TestClient of(ControlPlane controlPlane) {
    return new TestClient(controlPlane.baseUrl(), controlPlane.adminToken());
  }

  /** The same server without any credential. */
  TestClient anonymous() {
    return new TestClient(baseUrl, null);
  }

  /** Another server (a replica) with the same token. */
  TestClient at(String otherBaseUrl) {
    return new TestClient(otherBaseUrl, token);
  }

  /** The same server with another token. */
  TestClient as(String otherToken) {
    return new TestClient(baseUrl, otherToken);
  }

  Reply get(String path) {
    return get(path, token);
  }

  Reply post(String path, Object body) {
    return post(path, body, token);
  }

  Reply put(String path, Object body) {
    String text = body instanceof String s ? s : Json.write(body);
    Request.Builder b = new Request.Builder().url(baseUrl + path).put(RequestBody.create(text, JSON));
    return call(auth(b, token).build());
  }

  Reply delete(String path) {
    return delete(path, token);
  }

  /** Any method, with the given bearer (null for none) and an optional JSON body. */
  Reply send(String method, String path, String body, String bearer) {
    RequestBody requestBody = body == null ? ("GET".equals(method) ? null
        : RequestBody.create("", JSON)) : RequestBody.create(body, JSON);
    return call(auth(new Request.Builder().url(baseUrl + path).method(method, requestBody), bearer)
        .build());
  }

  private static Request.Builder auth(Request.Builder b, String bearer) {
    return bearer == null ? b : b.header("Authorization", "Bearer " + bearer);
  }

  Reply post(String path, Object body, String bearer) {
    String text = body instanceof String s ? s : Json.write(body);
    Request.Builder b = new Request.Builder().url(baseUrl + path).post(RequestBody.create(text, JSON));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return call(b.build());
  }

  Reply delete(String path, String bearer) {
    Request.Builder b = new Request.Builder().url(baseUrl + path).delete();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return call(b.build());
  }

  Reply get(String path, String bearer) {
    return call(auth(new Request.Builder().url(baseUrl + path).get(), bearer).build());
  }

  private Reply call(Request request) {
    try (Response response = http.newCall(request).execute()) {
      return new Reply(response.code(), response.body() == null ? "" : response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
