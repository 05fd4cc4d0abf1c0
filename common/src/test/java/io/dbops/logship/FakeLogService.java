package io.dbops.logship;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The log service's contract (docs/logs.md) in a MockWebServer dispatcher, for the shipper's unit
 * tests: idempotent appends, gap refusal, position, close; plus switches to fail on purpose. The
 * real service is exercised in control-plane and lite-engine tests.
 */
final class FakeLogService extends Dispatcher {
  final Map<String, List<JsonNode>> streams = new ConcurrentHashMap<>();
  final Map<String, JsonNode> progress = new ConcurrentHashMap<>();
  final Map<String, Long> closed = new ConcurrentHashMap<>();
  final AtomicInteger appends = new AtomicInteger();
  volatile int failWith; // 0 = answer normally
  volatile String token = "tok";

  @Override
  public synchronized MockResponse dispatch(RecordedRequest request) {
    if (failWith != 0) {
      return new MockResponse().setResponseCode(failWith).setBody("{\"code\":\"down\",\"message\":\"down\"}");
    }
    if (!("Bearer " + token).equals(request.getHeader("Authorization"))) {
      return new MockResponse().setResponseCode(403).setBody("{\"code\":\"forbidden\",\"message\":\"no\"}");
    }
    String path = request.getRequestUrl().encodedPath();
    try {
      if (path.equals("/api/v1/logs/position")) {
        String stream = request.getRequestUrl().queryParameter("stream");
        return json(Map.of("stream", stream, "lastSeq", last(stream), "closed", closed.containsKey(stream)));
      }
      JsonNode body = Json.mapper().readTree(request.getBody().readUtf8());
      String stream = body.get("stream").asText();
      if (path.equals("/api/v1/logs/close")) {
        closed.put(stream, body.get("lastSeq").asLong());
        return json(Map.of("stream", stream, "lastSeq", last(stream)));
      }
      appends.incrementAndGet();
      List<JsonNode> stored = streams.computeIfAbsent(stream, k -> new ArrayList<>());
      if (closed.containsKey(stream) && body.get("lines").size() > 0) {
        return new MockResponse().setResponseCode(409).setBody("{\"code\":\"stream_closed\",\"message\":\"closed\"}");
      }
      if (body.get("lines").size() > 0 && body.get("lines").get(0).get("seq").asLong() > last(stream) + 1) {
        return new MockResponse().setResponseCode(409).setBody("{\"code\":\"sequence_gap\",\"message\":\"gap\","
            + "\"details\":[\"expected seq " + (last(stream) + 1) + "\"]}");
      }
      for (JsonNode line : body.get("lines")) {
        if (line.get("seq").asLong() > last(stream)) {
          stored.add(line);
        }
      }
      if (body.hasNonNull("progress")) {
        progress.put(stream, body.get("progress"));
      }
      return json(Map.of("acceptedThrough", last(stream)));
    } catch (Exception e) {
      return new MockResponse().setResponseCode(400).setBody("{\"code\":\"invalid_request\",\"message\":\"" + e + "\"}");
    }
  }

  synchronized long last(String stream) {
    List<JsonNode> lines = streams.get(stream);
    return lines == null || lines.isEmpty() ? 0 : lines.get(lines.size() - 1).get("seq").asLong();
  }

  synchronized List<String> texts(String stream) {
    return streams.getOrDefault(stream, List.of()).stream().map(l -> l.get("text").asText()).toList();
  }

  synchronized List<Long> seqs(String stream) {
    return streams.getOrDefault(stream, List.of()).stream().map(l -> l.get("seq").asLong()).toList();
  }

  /** Forgets every line after {@code keep} (a service that lost acknowledged lines). */
  synchronized void truncate(String stream, int keep) {
    List<JsonNode> lines = streams.get(stream);
    while (lines.size() > keep) {
      lines.remove(lines.size() - 1);
    }
  }

  private static MockResponse json(Object body) {
    return new MockResponse().setHeader("Content-Type", "application/json").setBody(Json.write(body));
  }
}
