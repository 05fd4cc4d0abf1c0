package io.dbops.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ApiError;
import io.dbops.api.LogPage;
import io.dbops.cli.client.ApiCallException;
import io.dbops.cli.client.ApiHttp;
import io.dbops.cli.client.ApiTarget;
import io.dbops.cli.client.ControlPlaneUnreachableException;
import io.dbops.logship.Progress;
import io.dbops.support.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * The CLI's client of the log service's read side (docs/logs.md): the Server-Sent Events tail of
 * an execution, resumed with {@code Last-Event-ID} when the connection drops, and the list of an
 * execution's streams with their progress. Owns its OkHttp client; {@link #close} releases it.
 * One follow at a time.
 */
public final class LogClient implements AutoCloseable {
  /** The server sends a comment at least every 15 s; silence for this long means the connection is dead. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(45);
  private static final int MAX_RECONNECTS = 10;

  private final ApiTarget target;
  private final HttpUrl base;
  private final ApiHttp api;
  private final OkHttpClient http;
  private volatile Call current;

  /** Receives what the tail carries. */
  public interface Listener {
    void line(LogPage.Line line);

    void progress(String stream, Progress progress);
  }

  /** The server has no SSE tail (an older control plane, or too many tails): use long polls. */
  public static final class NoTailException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoTailException(String message) {
      super(message);
    }
  }

  public LogClient(ApiTarget target) {
    this.target = target;
    this.base = target.base();
    this.api = new ApiHttp(target, READ_TIMEOUT);
    this.http = api.client();
  }

  /**
   * Follows an execution's log from cursor {@code after} until the execution has finished and
   * every line was delivered; reconnects (resuming after the last line seen) when the connection
   * drops.
   *
   * @return the execution's final status
   * @throws NoTailException when the server offers no tail; fall back to long polls
   */
  public String follow(String executionId, long after, Listener listener) {
    long cursor = after;
    int failures = 0;
    IOException last = null;
    while (failures <= MAX_RECONNECTS) {
      Request.Builder request = new Request.Builder()
          .url(base.newBuilder().addPathSegments("api/v1/executions").addPathSegment(executionId)
              .addPathSegments("logs/stream").build())
          .header("Accept", "text/event-stream");
      if (cursor > 0) {
        request.header("Last-Event-ID", Long.toString(cursor));
      }
      Call call = http.newCall(request.build());
      current = call;
      try (Response response = call.execute()) {
        if (response.code() == 404 && !isUnknownExecution(response)) {
          throw new NoTailException("The control plane at " + base + " has no log tail");
        }
        if (response.code() == 503) {
          throw new NoTailException("The control plane at " + base + " streams too many logs now");
        }
        if (!response.isSuccessful()) {
          throw new ApiCallException(response.code(), error(response), target);
        }
        Tail tail = read(response.body().source(), listener, cursor);
        if (tail.status != null) {
          return tail.status;
        }
        failures = tail.cursor > cursor ? 0 : failures + 1;
        cursor = tail.cursor;
      } catch (IOException e) {
        if (call.isCanceled()) {
          throw new ControlPlaneUnreachableException("Following the log of " + executionId + " was cancelled", e);
        }
        last = e;
        failures++;
      }
      sleepBeforeReconnect(failures);
    }
    throw new ControlPlaneUnreachableException("Lost the log of " + executionId + " from " + base + " "
        + MAX_RECONNECTS + " times in a row" + (last == null ? "" : ": " + last.getMessage())
        + ". Is `dbops server` running there?", last);
  }

  /** The execution's streams: {@code [{stream, lastSeq, closed, progress}]}; empty when none. */
  public List<JsonNode> streams(String executionId) {
    Request request = new Request.Builder().url(base.newBuilder().addPathSegments("api/v1/executions")
        .addPathSegment(executionId).addPathSegments("logs/streams").build()).build();
    try (Response response = http.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        return List.of();
      }
      List<JsonNode> streams = new ArrayList<>();
      Json.mapper().readTree(response.body().byteStream()).forEach(streams::add);
      return streams;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Stops a follow in progress (from another thread). */
  public void cancel() {
    Call call = current;
    if (call != null) {
      call.cancel();
    }
  }

  @Override
  public void close() {
    api.close();
  }

  /** Where a read of the event stream ended: the last cursor, and the final status when it ended normally. */
  private record Tail(long cursor, String status) {}

  private static Tail read(BufferedSource source, Listener listener, long cursor) throws IOException {
    String event = "message";
    StringBuilder data = new StringBuilder();
    String line;
    while ((line = source.readUtf8Line()) != null) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          JsonNode json = Json.mapper().readTree(data.toString());
          switch (event) {
            case "line" -> {
              LogPage.Line l = Json.convert(json, LogPage.Line.class);
              listener.line(l);
              cursor = l.cursor();
            }
            case "progress" -> listener.progress(json.path("stream").asText(),
                new Progress(json.path("done").asInt(), json.path("total").asInt(), json.path("item").asText("")));
            case "end" -> {
              return new Tail(cursor, json.path("executionStatus").asText());
            }
            default -> {
              // unknown events are for newer clients
            }
          }
        }
        event = "message";
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).stripLeading());
      }
      // "id:" repeats the line's cursor; ":" comments keep the connection alive; "retry:" is ignored
    }
    return new Tail(cursor, null);
  }

  private static boolean isUnknownExecution(Response response) {
    try {
      return response.peekBody(4096).string().contains("No execution");
    } catch (IOException e) {
      return false;
    }
  }

  private static ApiError error(Response response) {
    try {
      ApiError e = Json.mapper().readValue(response.body().string(), ApiError.class);
      if (e != null && e.message() != null) {
        return e;
      }
    } catch (IOException | RuntimeException e) {
      // not an ApiError body
    }
    return new ApiError("http_" + response.code(), "HTTP " + response.code(), List.of());
  }

  private static void sleepBeforeReconnect(int failures) {
    try {
      Thread.sleep(Math.min(5_000, 250L * (1L << Math.min(failures, 5))));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneUnreachableException("Interrupted while reconnecting to the log tail", e);
    }
  }
}
