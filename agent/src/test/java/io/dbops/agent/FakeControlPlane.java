package io.dbops.agent;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;

/**
 * The control plane's side of the delegate WebSocket, on a real MockWebServer socket. Each
 * accepted connection is a {@link Session} whose received frames are queued for the test.
 */
final class FakeControlPlane implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  final BlockingQueue<Session> sessions = new LinkedBlockingQueue<>();
  private final FrameCodec codec = new FrameCodec();

  FakeControlPlane start() throws Exception {
    server.start();
    return this;
  }

  String url() {
    return server.url("/").toString();
  }

  /** Where the test steps' changelogs are (they need not exist: the lite engines are fakes); allowed by {@link #config}. */
  static final String CHANGELOG_DIR = "/srv/dbops-test/changelogs";

  /**
   * A delegate config for this control plane: plain http allowed, endpoints on a free loopback
   * port, step files in {@link #CHANGELOG_DIR} allowed.
   */
  io.dbops.agent.config.DelegateConfig config(String token, java.nio.file.Path stateDir, int capacity,
      java.time.Duration maxBackoff) {
    return io.dbops.agent.config.DelegateConfig.builder().serverUrl(url()).token(token).name("dc1")
        .tags(List.of("eu", "prod")).capacity(capacity).runtime("local").stateDir(stateDir)
        .podProcessCommand(List.of("false")).heartbeatInterval(java.time.Duration.ofSeconds(15))
        .maxBackoff(maxBackoff).podReadyTimeout(java.time.Duration.ofSeconds(10))
        .drainGrace(java.time.Duration.ofSeconds(60)).tls(io.dbops.agent.config.DelegateConfig.Tls.INSECURE)
        .endpoints(io.dbops.agent.config.DelegateConfig.Endpoints.loopbackFreePort())
        .allowlists(io.dbops.agent.policy.Allowlists.of(java.util.Map.of("DBOPS_ALLOW_CHANGELOG_DIRS", CHANGELOG_DIR)))
        .build();
  }

  /** The next connection is upgraded to a WebSocket. */
  void acceptNext() {
    Session session = new Session();
    server.enqueue(new MockResponse().withWebSocketUpgrade(session));
  }

  /** The next connection is refused with 401. */
  void refuseNext() {
    server.enqueue(new MockResponse().setResponseCode(401)
        .setBody("{\"code\":\"unauthorized\",\"message\":\"unknown delegate token\"}"));
  }

  /** Waits for the next upgraded session and its hello. */
  Session nextSession() throws InterruptedException {
    Session session = sessions.poll(15, TimeUnit.SECONDS);
    if (session == null) {
      throw new AssertionError("The delegate did not connect within 15 s");
    }
    return session;
  }

  @Override
  public void close() throws Exception {
    server.shutdown();
  }

  final class Session extends WebSocketListener {
    final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    final List<String> authorization = new CopyOnWriteArrayList<>();
    final java.util.concurrent.CompletableFuture<Integer> closeCode = new java.util.concurrent.CompletableFuture<>();
    volatile WebSocket socket;

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      socket = webSocket;
      authorization.add(response.request().header("Authorization"));
      sessions.add(this);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      try {
        received.add(codec.decode(text));
      } catch (FrameCodec.MalformedFrameException e) {
        throw new AssertionError("Delegate sent a malformed frame: " + text, e);
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      closeCode.complete(code);
      webSocket.close(1000, null);
    }

    void send(Frame frame) {
      socket.send(codec.encode(frame));
    }

    void welcome(int heartbeatSeconds) {
      send(new Frame.Welcome(Frame.PROTOCOL_VERSION, "session-1", heartbeatSeconds));
    }

    /** The next frame of the given type, skipping heartbeats; fails after 15 s. */
    <T extends Frame> T next(Class<T> type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        Frame frame = received.poll(100, TimeUnit.MILLISECONDS);
        if (frame == null || frame instanceof Frame.Heartbeat || frame instanceof Frame.HeartbeatAck) {
          if (type.isInstance(frame)) {
            return type.cast(frame);
          }
          continue;
        }
        if (!type.isInstance(frame)) {
          throw new AssertionError("Expected " + type.getSimpleName() + " but the delegate sent " + frame);
        }
        return type.cast(frame);
      }
      throw new AssertionError("No " + type.getSimpleName() + " within 15 s");
    }

    /**
     * The next task_result, waiting up to {@code timeout} (init and steps start JVMs). Lease renewals
     * sent meanwhile are skipped: a task that runs longer than the renewal interval (a loaded machine)
     * renews its lease before it reports.
     */
    Frame.TaskResult nextResult(java.time.Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      Frame frame;
      do {
        frame = nextTaskFrame(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } while (frame instanceof Frame.LeaseRenew && System.nanoTime() < deadline);
      if (!(frame instanceof Frame.TaskResult result)) {
        throw new AssertionError("Expected a task_result within " + timeout + " but got " + frame);
      }
      return result;
    }

    /** The next non-heartbeat frame within the timeout, or null. */
    Frame nextTaskFrame(long millis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (System.nanoTime() < deadline) {
        Frame frame = received.poll(50, TimeUnit.MILLISECONDS);
        if (frame != null && !(frame instanceof Frame.Heartbeat) && !(frame instanceof Frame.HeartbeatAck)) {
          return frame;
        }
      }
      return null;
    }

    void closeFromServer() {
      socket.close(1001, "control plane restarting");
    }
  }
}
