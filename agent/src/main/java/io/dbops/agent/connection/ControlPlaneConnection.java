package io.dbops.agent.connection;

import io.dbops.agent.config.DelegateConfig;
import io.dbops.support.Backoff;
import io.dbops.agent.endpoints.DelegateMetrics;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate's session with the control plane, over either transport (WebSocket or long-poll):
 * hello/welcome, heartbeats, silence detection and reconnects with full-jitter backoff
 * (docs/protocol.md).
 *
 * <p>Threading: all session state lives on one thread, {@code delegate-connection-1}; transport
 * callbacks only post work to it. {@link #send} is thread-safe. The {@link OkHttpClient} is owned
 * by the caller; the thread is owned here and stopped by {@link #close} (idempotent).
 */
public final class ControlPlaneConnection implements FrameSender, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlaneConnection.class);
  /** Heartbeat intervals of silence after which the peer is considered dead. */
  private static final int SILENT_INTERVALS = 3;
  private static final Duration BACKOFF_BASE = Duration.ofSeconds(1);

  private final DelegateConfig config;
  private final FrameCodec codec;
  private final Supplier<Frame.Hello> hello;
  private final FrameHandler handler;
  private final DelegateMetrics metrics;
  private final Backoff backoff;
  private final Transport transport;
  private final URI url;
  private final String instanceId;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object connectedMonitor = new Object();
  private ScheduledExecutorService loop;

  // Touched only on the loop thread, except `current` and `welcomed`, which send() reads.
  private volatile Session current;
  private volatile boolean welcomed;
  private int attempt;
  private boolean refusalLogged;
  private long heartbeatSeq;
  private long lastHeardNanos;
  private Duration interval;
  private ScheduledFuture<?> ticker;

  /**
   * @param hello the hello of the next session, asked for at every connect (it lists running tasks)
   */
  public ControlPlaneConnection(DelegateConfig config, OkHttpClient http, FrameCodec codec,
      Supplier<Frame.Hello> hello, FrameHandler handler, DelegateMetrics metrics) {
    this(config, http, codec, hello, handler, metrics, new Backoff(
        // a cap below the base (tests reconnect within 300 ms) lowers the base too
        BACKOFF_BASE.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : BACKOFF_BASE, config.maxBackoff()));
  }

  ControlPlaneConnection(DelegateConfig config, OkHttpClient http, FrameCodec codec, Supplier<Frame.Hello> hello,
      FrameHandler handler, DelegateMetrics metrics, Backoff backoff) {
    this.config = config;
    this.codec = codec;
    this.hello = hello;
    this.handler = handler;
    this.metrics = metrics;
    this.backoff = backoff;
    this.url = config.transportUrl();
    this.instanceId = hello.get().instanceId();
    RefusalClassifier classifier = new RefusalClassifier(url, backoff.capMillis());
    this.transport = DelegateConfig.TRANSPORT_LONG_POLL.equals(config.transport())
        ? new LongPollTransport(http, config.pollSessionsUrl(), config.token(), classifier)
        : new WebSocketTransport(http, config.webSocketUrl(), config.token(), classifier);
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
    return session.link.send(codec.encode(frame));
  }

  /** Closes the session politely (after the frames already sent) and stops reconnecting. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    setWelcomed(false);
    Session session = current;
    if (session != null && session.link != null) {
      session.link.close("delegate shutting down");
    }
    if (loop != null) {
      ExecutorShutdown.now(loop);
    }
  }

  // ---- loop thread ----

  private void connect() {
    if (closed.get()) {
      return;
    }
    Session session = new Session();
    current = session;
    lastHeardNanos = System.nanoTime();
    interval = config.heartbeatInterval();
    log.debug("Connecting to {} (attempt {})", url, attempt + 1);
    session.link = transport.open(codec.encode(hello.get()), new Transport.Listener() {
      @Override
      public void onText(String text) {
        post(() -> ControlPlaneConnection.this.onText(session, text));
      }

      @Override
      public void onEnded(DelegateException reason) {
        post(() -> onDisconnected(session, reason));
      }
    });
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
      session.link.send(codec.encode(new Frame.HeartbeatAck(beat.seq(), beat.sentAtMillis())));
    } else if (frame instanceof Frame.HeartbeatAck ack) {
      long roundTrip = System.currentTimeMillis() - ack.sentAtMillis();
      metrics.heartbeatRoundTrip(Duration.ofMillis(roundTrip));
      log.debug("Heartbeat {} round trip {} ms", ack.seq(), roundTrip);
    } else if (frame instanceof Frame.Error error) {
      log.warn("Control plane at {} reported {}: {}", url, error.code(), error.message());
    } else if (welcomed) {
      handler.onFrame(frame);
    } else {
      log.warn("Ignored a {} frame that arrived before welcome", frame.getClass().getSimpleName());
    }
  }

  private void onWelcome(Frame.Welcome welcome) {
    if (welcomed) {
      log.debug("Ignored a second welcome");
      return;
    }
    attempt = 0;
    refusalLogged = false;
    if (welcome.heartbeatIntervalSeconds() > 0) {
      interval = Duration.ofSeconds(welcome.heartbeatIntervalSeconds());
    }
    restartTicker();
    setWelcomed(true);
    log.info("Connected to {} as {} (instance {})", url, config.name(), instanceId);
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
      session.link.cancel();
      onDisconnected(session, new DelegateException.Retryable(
          "no frame from the control plane for " + silentMillis + " ms", null));
      return;
    }
    if (welcomed) {
      session.link.send(codec.encode(new Frame.Heartbeat(++heartbeatSeq, System.currentTimeMillis())));
      handler.onHeartbeat();
    }
  }

  private void onDisconnected(Session session, DelegateException reason) {
    if (session != current) {
      return; // a stale link of an earlier session
    }
    boolean wasWelcomed = welcomed;
    current = null;
    setWelcomed(false);
    if (ticker != null) {
      ticker.cancel(false);
    }
    session.link.cancel();
    if (closed.get()) {
      return;
    }
    if (wasWelcomed) {
      handler.onDisconnected();
    }
    metrics.reconnect();
    long delay;
    if (reason instanceof DelegateException.Fatal) {
      handler.onTokenRefused();
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
      loop.schedule(() -> post(this::connect), delay, TimeUnit.MILLISECONDS);
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

  private void setWelcomed(boolean value) {
    synchronized (connectedMonitor) {
      welcomed = value;
      connectedMonitor.notifyAll();
    }
    metrics.connected(value);
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
    volatile Transport.Link link;
  }
}
