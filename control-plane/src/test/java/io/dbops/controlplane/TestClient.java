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

  TestClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  Reply get(String path) {
    return call(new Request.Builder().url(baseUrl + path).get().build());
  }

  Reply post(String path, Object body) {
    return post(path, body, null);
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
    return call(new Request.Builder().url(baseUrl + path).get()
        .header("Authorization", "Bearer " + bearer).build());
  }

  private Reply call(Request request) {
    try (Response response = http.newCall(request).execute()) {
      return new Reply(response.code(), response.body() == null ? "" : response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
