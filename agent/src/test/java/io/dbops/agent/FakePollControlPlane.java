package io.dbops.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/** The control plane's side of the long-poll transport, scripted on a real MockWebServer. */
final class FakePollControlPlane extends Dispatcher implements AutoCloseable {
  private static final String SESSIONS = "/api/v1/delegates/poll/sessions";
  final MockWebServer server = new MockWebServer();
  final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  final BlockingQueue<Frame> toDelegate = new LinkedBlockingQueue<>();
  final List<Frame.Hello> hellos = new CopyOnWriteArrayList<>();
  final List<String> deleted = new CopyOnWriteArrayList<>();
  final AtomicInteger refusals = new AtomicInteger();
  private final AtomicInteger sessionCount = new AtomicInteger();
  private final FrameCodec codec = new FrameCodec();
  volatile String currentSession = "";

  FakePollControlPlane start() throws Exception {
    server.setDispatcher(this);
    server.start();
    return this;
  }

  String url() {
    return server.url("/").toString();
  }

  /** Makes the current session unknown: the delegate's next request gets 404 unknown_session. */
  void expireSession() {
    currentSession = "expired";
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
    String path = request.getPath();
    try {
      if (path.equals(SESSIONS) && request.getMethod().equals("POST")) {
        if (refusals.getAndDecrement() > 0) {
          return json(401, "{\"code\":\"unauthorized\",\"message\":\"unknown delegate token\"}");
        }
        hellos.add((Frame.Hello) codec.decode(request.getBody().readUtf8()));
        currentSession = "s" + sessionCount.incrementAndGet();
        return json(201, "{\"sessionId\":\"" + currentSession + "\",\"frames\":["
            + codec.encode(new Frame.Welcome(Frame.PROTOCOL_VERSION, currentSession, 15)) + "]}");
      }
      String prefix = SESSIONS + "/" + currentSession;
      if (!path.startsWith(prefix + "/") && !path.equals(prefix)) {
        return json(404, "{\"code\":\"unknown_session\",\"message\":\"session expired\"}");
      }
      if (request.getMethod().equals("DELETE")) {
        deleted.add(currentSession);
        return new MockResponse().setResponseCode(204);
      }
      if (request.getMethod().equals("POST")) {
        for (JsonNode frame : Json.mapper().readTree(request.getBody().readUtf8())) {
          received.add(codec.decode(frame.toString()));
        }
        return new MockResponse().setResponseCode(204);
      }
      List<String> frames = new ArrayList<>();
      Frame first = toDelegate.poll(300, TimeUnit.MILLISECONDS);
      if (first != null) {
        frames.add(codec.encode(first));
        List<Frame> more = new ArrayList<>();
        toDelegate.drainTo(more);
        more.forEach(f -> frames.add(codec.encode(f)));
      }
      return json(200, "[" + String.join(",", frames) + "]");
    } catch (Exception e) {
      return json(500, "{\"code\":\"internal_error\",\"message\":\"" + e + "\"}");
    }
  }

  /** The next frame of the given type the delegate posted, skipping heartbeats; fails after 10 s. */
  <T extends Frame> T next(Class<T> type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Frame frame = received.poll(100, TimeUnit.MILLISECONDS);
      if (type.isInstance(frame)) {
        return type.cast(frame);
      }
      if (frame != null && !(frame instanceof Frame.Heartbeat) && !(frame instanceof Frame.HeartbeatAck)) {
        throw new AssertionError("Expected " + type.getSimpleName() + " but the delegate sent " + frame);
      }
    }
    throw new AssertionError("No " + type.getSimpleName() + " within 10 s");
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json").setBody(body);
  }

  @Override
  public void close() throws Exception {
    server.shutdown();
  }
}
