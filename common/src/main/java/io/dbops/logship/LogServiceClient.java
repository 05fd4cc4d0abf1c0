package io.dbops.logship;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The log service's HTTP API as one shipper uses it: append, position and close of one stream
 * (docs/logs.md). Used by one sender thread; {@link #cancel} may be called from any thread.
 */
final class LogServiceClient {
  private static final MediaType JSON = MediaType.get("application/json");
  /** A request buffer that grew past this is dropped after use, so one huge batch does not pin memory. */
  private static final int KEEP_BUFFER_BYTES = 4 * 1024 * 1024;

  private final OkHttpClient http;
  private final LogStreamRef ref;
  private final HttpUrl appendUrl;
  private final HttpUrl positionUrl;
  private final HttpUrl closeUrl;
  private final AtomicReference<Call> inFlight = new AtomicReference<>();
  private Buffer buffer = new Buffer();

  /** A byte array output stream whose array can be sent without copying. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(64 * 1024);
    }

    byte[] array() {
      return buf;
    }
  }

  /** @param http the caller's client; requests go through a view of it whose sockets set TCP_NODELAY */
  LogServiceClient(OkHttpClient http, LogStreamRef ref) {
    this.http = http.socketFactory() instanceof NoDelaySocketFactory ? http
        : http.newBuilder().socketFactory(new NoDelaySocketFactory(http.socketFactory())).build();
    this.ref = ref;
    HttpUrl base = HttpUrl.parse(ref.serviceUrl());
    if (base == null) {
      throw new IllegalArgumentException("Log service URL must be http(s), not '" + ref.serviceUrl() + "'");
    }
    this.appendUrl = base.newBuilder().addPathSegments("api/v1/logs").build();
    this.positionUrl = base.newBuilder().addPathSegments("api/v1/logs/position")
        .addQueryParameter("stream", ref.key()).build();
    this.closeUrl = base.newBuilder().addPathSegments("api/v1/logs/close").build();
  }

  /**
   * Appends {@code lines} (their {@code seq} is the shipper's index; the wire carries {@code base
   * + index}) with the stream's latest progress, which may be null.
   */
  SendOutcome append(List<LogLine> lines, long base, Progress progress) {
    buffer.reset();
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(buffer, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("stream", ref.key());
      g.writeArrayFieldStart("lines");
      for (LogLine line : lines) {
        g.writeStartObject();
        g.writeNumberField("seq", base + line.seq());
        g.writeNumberField("ts", line.ts());
        g.writeStringField("level", line.level());
        g.writeStringField("text", line.text());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (progress != null) {
        g.writeObjectFieldStart("progress");
        g.writeNumberField("done", progress.done());
        g.writeNumberField("total", progress.total());
        g.writeStringField("item", progress.item());
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode a log batch", e);
    }
    RequestBody body = RequestBody.create(buffer.array(), JSON, 0, buffer.size());
    SendOutcome outcome = classify(execute(request(appendUrl).post(body).build()), "acceptedThrough");
    if (buffer.array().length > KEEP_BUFFER_BYTES) {
      buffer = new Buffer();
    }
    return outcome;
  }

  /**
   * The stream's last stored sequence number as {@link SendOutcome.Accepted}; {@code Accepted(0)}
   * also when the service predates the position endpoint (it then answers 404 or 405).
   */
  SendOutcome position() {
    Reply reply = execute(request(positionUrl).get().build());
    if (reply.code() == 400 || reply.code() == 404 || reply.code() == 405) {
      return new SendOutcome.Accepted(0);
    }
    JsonNode json = reply.code() == 200 ? parse(reply.body()) : null;
    if (json != null && json.path("closed").asBoolean(false)) {
      return new SendOutcome.Fatal("log stream " + ref.key() + " is closed at seq " + json.path("lastSeq").asLong()
          + "; a closed stream takes no more lines");
    }
    return classify(reply, "lastSeq");
  }

  /** Closes the stream at {@code lastSeq}; the service then snapshots it and refuses more lines. */
  SendOutcome close(long lastSeq) {
    String json = Json.write(java.util.Map.of("stream", ref.key(), "lastSeq", lastSeq));
    return classify(execute(request(closeUrl).post(RequestBody.create(json, JSON)).build()), "lastSeq");
  }

  /** Cancels the request in flight, if any (close of the shipper). */
  void cancel() {
    Call call = inFlight.get();
    if (call != null) {
      call.cancel();
    }
  }

  private Request.Builder request(HttpUrl url) {
    return new Request.Builder().url(url).header("Authorization", "Bearer " + ref.token());
  }

  /** An HTTP answer; {@code code} is -1 when no answer came (the problem says why). */
  private record Reply(int code, byte[] body, String problem) {}

  private Reply execute(Request request) {
    Call call = http.newCall(request);
    inFlight.set(call);
    try (Response response = call.execute()) {
      byte[] body = response.body() == null ? new byte[0] : response.body().bytes();
      return new Reply(response.code(), body,
          "HTTP " + response.code() + " from " + request.url().encodedPath() + ": " + excerpt(body));
    } catch (IOException e) {
      return new Reply(-1, new byte[0], e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      inFlight.set(null);
    }
  }

  private static SendOutcome classify(Reply reply, String field) {
    int code = reply.code();
    if (code >= 200 && code < 300) {
      JsonNode json = parse(reply.body());
      return new SendOutcome.Accepted(json == null ? 0 : json.path(field).asLong(0));
    }
    if (code == -1 || code >= 500 || code == 408 || code == 429) {
      return new SendOutcome.Retryable(reply.problem());
    }
    if (code == 409) {
      JsonNode error = parse(reply.body());
      if (error != null && "sequence_gap".equals(error.path("code").asText(""))) {
        long expected = expectedSeq(error);
        if (expected > 0) {
          return new SendOutcome.Gap(expected, reply.problem());
        }
      }
    }
    return new SendOutcome.Fatal(reply.problem());
  }

  private static long expectedSeq(JsonNode error) {
    for (JsonNode detail : error.path("details")) {
      String text = detail.asText("");
      if (text.startsWith("expected seq ")) {
        try {
          return Long.parseLong(text.substring("expected seq ".length()).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static JsonNode parse(byte[] body) {
    try {
      return Json.mapper().readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** The start of a response body on one line (an HTML error page of a proxy included). */
  private static String excerpt(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 300), java.nio.charset.StandardCharsets.UTF_8)
        .replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim();
    return body.length > 300 ? text + "…" : text;
  }
}
