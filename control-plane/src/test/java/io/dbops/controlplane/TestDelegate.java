package io.dbops.controlplane;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.protocol.TaskTypes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * A delegate played by a test over a real WebSocket (OkHttp). Frames received are queued for
 * {@link #expect}; with a runner, offers are claimed and assignments answered automatically.
 */
final class TestDelegate implements AutoCloseable {
  private final FrameCodec codec = new FrameCodec();
  private final BlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
  private final List<Frame> parked = new ArrayList<>();
  final List<Frame.TaskAssigned> assigned = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> assignedIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
  final CompletableFuture<Response> upgradeFailure = new CompletableFuture<>();
  final CompletableFuture<String> failureBody = new CompletableFuture<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  final CompletableFuture<Void> opened = new CompletableFuture<>();
  private volatile Function<Frame.TaskAssigned, Frame.TaskResult> runner;
  final String instanceId;
  private WebSocket ws;

  TestDelegate(String instanceId) {
    this.instanceId = instanceId;
  }

  /** Opens, says {@code hello} and waits for welcome. */
  Frame.Welcome connect(OkHttpClient http, String baseUrl, String token, Frame.Hello hello)
      throws InterruptedException {
    open(http, baseUrl, token);
    send(hello);
    return expect(Frame.Welcome.class);
  }

  static Frame.Hello hello(String instanceId, int capacity, List<String> tags) {
    return new Frame.Hello(Frame.PROTOCOL_VERSION, "test-delegate", instanceId, "0.1.0-test", tags,
        capacity, TaskTypes.ALL);
  }

  /** Opens the socket with {@code token} (null for none); does not send hello. */
  TestDelegate open(OkHttpClient http, String baseUrl, String token) {
    Request.Builder b = new Request.Builder().url(baseUrl.replace("http://", "ws://")
        + "/api/v1/delegates/connect");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    ws = http.newWebSocket(b.build(), new WebSocketListener() {
      @Override
      public void onOpen(WebSocket webSocket, Response response) {
        opened.complete(null);
      }

      @Override
      public void onMessage(WebSocket webSocket, String text) {
        try {
          Frame frame = codec.decode(text);
          if (!autoHandle(frame)) {
            inbox.add(frame);
          }
        } catch (FrameCodec.MalformedFrameException e) {
          inbox.add(new Frame.Error("test_decode", e.getMessage()));
        }
      }

      @Override
      public void onClosing(WebSocket webSocket, int code, String reason) {
        closed.complete(code);
        webSocket.close(code, null);
      }

      @Override
      public void onClosed(WebSocket webSocket, int code, String reason) {
        closed.complete(code);
      }

      @Override
      public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        if (response != null) {
          String body = "";
          try {
            body = response.body() == null ? "" : response.body().string();
          } catch (Exception ignored) {
            // body already consumed
          }
          failureBody.complete(body);
          upgradeFailure.complete(response);
        } else {
          upgradeFailure.completeExceptionally(t);
        }
        closed.complete(-1);
      }
    });
    return this;
  }

  /** Opens, says hello and waits for welcome. */
  Frame.Welcome connect(OkHttpClient http, String baseUrl, String token, int capacity,
      List<String> tags) throws InterruptedException {
    open(http, baseUrl, token);
    send(hello(instanceId, capacity, tags));
    return expect(Frame.Welcome.class);
  }

  /**
   * Claims every offer and answers every assignment with {@code runner}'s result; a null result
   * sends nothing (the test answers later with {@link #send}).
   */
  void runWith(Function<Frame.TaskAssigned, Frame.TaskResult> newRunner) {
    this.runner = newRunner;
  }

  private boolean autoHandle(Frame frame) {
    if (frame instanceof Frame.Heartbeat hb) {
      send(new Frame.HeartbeatAck(hb.seq(), hb.sentAtMillis()));
      return true;
    }
    Function<Frame.TaskAssigned, Frame.TaskResult> r = runner;
    if (r == null) {
      if (frame instanceof Frame.TaskAssigned a) {
        assigned.add(a);
      }
      return false;
    }
    if (frame instanceof Frame.TaskOffer offer) {
      if (!assignedIds.contains(offer.taskId() + "#")) {
        send(new Frame.Claim(offer.taskId()));
      }
      return true;
    }
    if (frame instanceof Frame.TaskAssigned a) {
      // a duplicate claim is answered with the same assignment: run each attempt once
      if (assignedIds.add(a.taskId() + "#" + a.attempt())) {
        assigned.add(a);
        Frame.TaskResult result = r.apply(a);
        if (result != null) {
          send(result);
        }
      }
      return true;
    }
    return frame instanceof Frame.ResultAck || frame instanceof Frame.ClaimRejected;
  }

  void send(Frame frame) {
    ws.send(codec.encode(frame));
  }

  void sendRaw(String text) {
    ws.send(text);
  }

  /** The next frame of {@code type}, skipping (and keeping) others; fails after 10 s. */
  synchronized <T extends Frame> T expect(Class<T> type) throws InterruptedException {
    for (Iterator<Frame> it = parked.iterator(); it.hasNext(); ) {
      Frame f = it.next();
      if (type.isInstance(f)) {
        it.remove();
        return type.cast(f);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new AssertionError("No " + type.getSimpleName() + " frame within 10 s; got " + parked);
      }
      if (type.isInstance(f)) {
        return type.cast(f);
      }
      parked.add(f);
    }
  }

  /** The next frame of either type. */
  synchronized Frame expectAny(Class<? extends Frame> a, Class<? extends Frame> b)
      throws InterruptedException {
    for (Iterator<Frame> it = parked.iterator(); it.hasNext(); ) {
      Frame f = it.next();
      if (a.isInstance(f) || b.isInstance(f)) {
        it.remove();
        return f;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new AssertionError("No " + a.getSimpleName() + " or " + b.getSimpleName()
            + " frame within 10 s; got " + parked);
      }
      if (a.isInstance(f) || b.isInstance(f)) {
        return f;
      }
      parked.add(f);
    }
  }

  @Override
  public void close() {
    if (ws != null) {
      ws.close(1000, "test done");
    }
  }
}
