package io.dbops.agent.connection;

import io.dbops.agent.config.DelegateConfig;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.NamedThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate's WebSocket session with the control plane: hello/welcome, heartbeats, silence
 * detection and reconnects with full-jitter backoff (docs/protocol.md).
 *
 * <p>Threading: all session state lives on one thread, {@code delegate-connection-1}; OkHttp's
 * socket callbacks only post work to it. {@link #send} is thread-safe. The {@link OkHttpClient} is
 * owned by the caller; the thread is owned here and stopped by {@link #close} (idempotent).
 */
public final class ControlPlaneConnection implements FrameSender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneConnection.class);
  /** Heartbeat intervals of silence after which the peer is considered dead. */
  private static final int SILENT_INTERVALS = 3;
  private static final Duration BACKOFF_BASE = Duration.ofSeconds(1);

  private final DelegateConfig config;
  private final OkHttpClient http;
  private final FrameCodec codec;
  private final Frame.Hello hello;
  private final FrameHandler handler;
  private final Backoff backoff;
  private final URI url;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object connectedMonitor = new Object();
  private ScheduledExecutorService loop;

  // Touched only on the loop thread, except `current` and `welcomed`, which send() reads.
  private volatile Session current;
  private volatile boolean welcomed;
  private int attempt;
  private boolean refusalLogged;
  private long generation;
  private long heartbeatSeq;
  private long lastHeardNanos;
  private Duration interval;
  private ScheduledFuture<?> ticker;

  public ControlPlaneConnection(
      DelegateConfig config, OkHttpClient http, FrameCodec codec, Frame.Hello hello, FrameHandler handler) {
    this(config, http, codec, hello, handler, new Backoff(BACKOFF_BASE, config.maxBackoff()));
  }

  ControlPlaneConnection(
      DelegateConfig config, OkHttpClient http, FrameCodec codec, Frame.Hello hello, FrameHandler handler,
      Backoff backoff) {
    this.config = config;
    this.http = http;
    this.codec = codec;
    this.hello = hello;
    this.handler = handler;
    this.backoff = backoff;
    this.url = config.webSocketUrl();
    this.interval = config.heartbeatInterval();
  }

  /** Connects in the background; returns at once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("Connection already started");
    }
    loop = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("delegate-connection", true));
    post(this::connect);
  }

  /** True while a session is open and welcomed. */
  public boolean isConnected() {
    return welcomed;
  }

  /** Waits until a session is welcomed; false if {@code timeout} passes first. */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (connectedMonitor) {
      while (!welcomed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(connectedMonitor, left);
      }
      return true;
    }
  }

  @Override
  public boolean send(Frame frame) {
    Session session = current;
    if (session == null || !welcomed) {
      return false;
    }
    return session.socket.send(codec.encode(frame));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    setWelcomed(false);
    Session session = current;
    if (session != null) {
      session.socket.close(1000, "delegate shutting down");
    }
    if (loop != null) {
      loop.shutdownNow();
      try {
        loop.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- loop thread ----

  private void connect() {
    if (closed.get()) {
      return;
    }
    Session session = new Session(++generation);
    current = session;
    lastHeardNanos = System.nanoTime();
    interval = config.heartbeatInterval();
    Request request =
        new Request.Builder().url(url.toString()).header("Authorization", "Bearer " + config.token()).build();
    log.debug("Connecting to {} (attempt {})", url, attempt + 1);
    session.socket = http.newWebSocket(request, new Listener(session));
    restartTicker();
  }

  private void onText(Session session, String text) {
    if (session != current) {
      return;
    }
    lastHeardNanos = System.nanoTime();
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (FrameCodec.MalformedFrameException e) {
      log.warn("Dropped a frame from {} ({}): {}", url, e.code(), e.getMessage());
      return;
    }
    if (frame instanceof Frame.Welcome welcome) {
      onWelcome(welcome);
    } else if (frame instanceof Frame.Heartbeat beat) {
      session.socket.send(codec.encode(new Frame.HeartbeatAck(beat.seq(), beat.sentAtMillis())));
    } else if (frame instanceof Frame.HeartbeatAck ack) {
      log.debug("Heartbeat {} round trip {} ms", ack.seq(), System.currentTimeMillis() - ack.sentAtMillis());
    } else if (frame instanceof Frame.Error error) {
      log.warn("Control plane at {} reported {}: {}", url, error.code(), error.message());
    } else if (welcomed) {
      handler.onFrame(frame);
    } else {
      log.warn("Ignored a {} frame that arrived before welcome", frame.getClass().getSimpleName());
    }
  }

  private void onWelcome(Frame.Welcome welcome) {
    attempt = 0;
    refusalLogged = false;
    if (welcome.heartbeatIntervalSeconds() > 0) {
      interval = Duration.ofSeconds(welcome.heartbeatIntervalSeconds());
    }
    restartTicker();
    setWelcomed(true);
    log.info("Connected to {} as {} (instance {})", url, hello.name(), hello.instanceId());
    handler.onWelcome();
  }

  /** Sends a heartbeat each interval and drops the session after SILENT_INTERVALS of silence. */
  private void tick() {
    Session session = current;
    if (session == null) {
      return;
    }
    long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
    if (silentMillis > interval.toMillis() * SILENT_INTERVALS) {
      session.socket.cancel();
      onDisconnected(session, new DelegateException.Retryable(
          "no frame from the control plane for " + silentMillis + " ms", null));
      return;
    }
    if (welcomed) {
      session.socket.send(codec.encode(new Frame.Heartbeat(++heartbeatSeq, System.currentTimeMillis())));
    }
  }

  private void onDisconnected(Session session, DelegateException reason) {
    if (session != current) {
      return; // a stale socket of an earlier session
    }
    boolean wasWelcomed = welcomed;
    current = null;
    setWelcomed(false);
    if (ticker != null) {
      ticker.cancel(false);
    }
    session.socket.cancel();
    if (closed.get()) {
      return;
    }
    if (wasWelcomed) {
      handler.onDisconnected();
    }
    long delay;
    if (reason instanceof DelegateException.Fatal) {
      delay = backoff.capMillis();
      if (!refusalLogged) {
        log.error(reason.getMessage());
        refusalLogged = true;
      }
    } else {
      delay = backoff.delayMillis(attempt);
      if (wasWelcomed || attempt % 10 == 0) {
        log.warn("Connection to {} lost: {}; reconnecting in {} ms (attempt {})",
            url, reason.getMessage(), delay, attempt + 1);
      } else {
        log.debug("Connection to {} failed: {}; reconnecting in {} ms (attempt {})",
            url, reason.getMessage(), delay, attempt + 1);
      }
      attempt++;
    }
    try {
      loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void restartTicker() {
    if (ticker != null) {
      ticker.cancel(false);
    }
    long millis = interval.toMillis();
    ticker = loop.scheduleAtFixedRate(this::safeTick, millis, millis, TimeUnit.MILLISECONDS);
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("Heartbeat failed", e);
    }
  }

  private DelegateException classify(Throwable failure, Response response) {
    if (response != null && (response.code() == 401 || response.code() == 403)) {
      return new DelegateException.Fatal(
          "Control plane at " + url + " refused the delegate token (HTTP " + response.code()
              + "). Check DBOPS_TOKEN: it must be a delegate token issued by this control plane."
              + " Retrying every " + formatMillis(backoff.capMillis()) + ".",
          failure);
    }
    String reason = response != null
        ? "HTTP " + response.code() + " on upgrade"
        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return new DelegateException.Retryable(reason, failure);
  }

  private static String formatMillis(long millis) {
    return millis >= 1000 ? millis / 1000 + " s" : millis + " ms";
  }

  private void setWelcomed(boolean value) {
    synchronized (connectedMonitor) {
      welcomed = value;
      connectedMonitor.notifyAll();
    }
  }

  /** Runs on the loop thread, catching everything: one exception must not stop the loop. */
  private void post(Runnable work) {
    try {
      loop.execute(() -> {
        try {
          work.run();
        } catch (RuntimeException e) {
          log.error("Connection loop failed", e);
        }
      });
    } catch (RejectedExecutionException e) {
      // the connection is closing
    }
  }

  private static final class Session {
    final long id;
    volatile WebSocket socket;

    Session(long id) {
      this.id = id;
    }
  }

  /** OkHttp callbacks (on OkHttp's threads): hand everything to the loop thread. */
  private final class Listener extends WebSocketListener {
    private final Session session;

    Listener(Session session) {
      this.session = session;
    }

    @Override
    public void onOpen(WebSocket socket, Response response) {
      socket.send(codec.encode(hello));
    }

    @Override
    public void onMessage(WebSocket socket, String text) {
      post(() -> onText(session, text));
    }

    @Override
    public void onClosing(WebSocket socket, int code, String reason) {
      socket.close(1000, null);
      post(() -> onDisconnected(session, new DelegateException.Retryable(
          "closed by the control plane (" + code + (reason.isEmpty() ? "" : " " + reason) + ")", null)));
    }

    @Override
    public void onClosed(WebSocket socket, int code, String reason) {
      // Also called without onClosing when the close handshake completes in one go.
      post(() -> onDisconnected(session, new DelegateException.Retryable(
          "closed by the control plane (" + code + (reason.isEmpty() ? "" : " " + reason) + ")", null)));
    }

    @Override
    public void onFailure(WebSocket socket, Throwable failure, Response response) {
      DelegateException reason = classify(failure, response);
      post(() -> onDisconnected(session, reason));
    }
  }
}
