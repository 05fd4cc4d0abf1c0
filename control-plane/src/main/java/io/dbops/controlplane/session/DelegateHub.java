package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskListener;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.tokens.TokenService;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.Json;
import io.dbops.support.NamedThreadFactory;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate hub: authenticates WebSocket upgrades on {@code /api/v1/delegates/connect}, runs the
 * hello/welcome handshake and heartbeats, keeps the registry of connected sessions, offers queued
 * tasks to matching delegates and handles claims and results (docs/protocol.md).
 *
 * <p>Threads: frames are handled on Jetty's {@code cp-http-N} threads; {@code cp-heartbeat-1} sends
 * heartbeats and closes silent sessions; {@code cp-dispatch-1} sends offers (requests coalesce).
 * Thread-safe. {@link #close} closes every session and stops both threads; idempotent.
 */
public final class DelegateHub implements Routes, TaskListener, AutoCloseable {
  /** Leases are not enforced yet (issue #3); the value tells the delegate how often to renew. */
  static final int LEASE_SECONDS = 60;
  private static final Logger log = LoggerFactory.getLogger(DelegateHub.class);
  static final String PATH = "/api/v1/delegates/connect";

  private final TokenService tokens;
  private final TaskQueue queue;
  private final BiFunction<String, JsonNode, JsonNode> assignedPayload;
  private final int heartbeatSeconds;
  private final Clock clock;
  private final Ids ids;
  private final FrameCodec codec = new FrameCodec();
  private final Map<String, DelegateSession> sessions = new ConcurrentHashMap<>();
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong heartbeatSeq = new AtomicLong();
  private volatile ScheduledExecutorService heartbeats;
  private volatile ThreadPoolExecutor dispatcher;

  /** A connected delegate, as {@code GET /api/v1/delegates} lists it. */
  public record DelegateView(String name, String instanceId, String version, List<String> tags,
      int capacity, int running, Instant connectedAt) {}

  /**
   * @param assignedPayload turns a stored payload into the one sent in {@code task_assigned}
   *     (arguments: task type, stored payload), for example to add a log token
   */
  public DelegateHub(TokenService tokens, TaskQueue queue,
      BiFunction<String, JsonNode, JsonNode> assignedPayload, int heartbeatSeconds, Clock clock,
      Ids ids) {
    this.tokens = tokens;
    this.queue = queue;
    this.assignedPayload = assignedPayload;
    this.heartbeatSeconds = heartbeatSeconds;
    this.clock = clock;
    this.ids = ids;
  }

  public void start() {
    heartbeats = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-heartbeat", true));
    heartbeats.scheduleWithFixedDelay(this::heartbeatTick, heartbeatSeconds, heartbeatSeconds,
        TimeUnit.SECONDS);
    // One pending dispatch is enough: requests coalesce, so the queue never grows past 1.
    dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
        new NamedThreadFactory("cp-dispatch", true), new ThreadPoolExecutor.DiscardPolicy());
  }

  @Override
  public void addTo(Javalin app) {
    app.wsBeforeUpgrade(PATH, ctx -> {
      ApiException refusal = checkUpgrade(ctx.header("Authorization"));
      if (refusal != null) {
        // Javalin drops the body of an exception mapped during an upgrade, so the ApiError is
        // written and committed here; the exception then stops the upgrade.
        var res = ctx.res();
        res.setStatus(refusal.status());
        res.setContentType("application/json");
        res.getOutputStream().write(Json.write(refusal.toError()).getBytes(StandardCharsets.UTF_8));
        res.flushBuffer();
        throw refusal;
      }
    });
    app.ws(PATH, ws -> {
      ws.onConnect(this::onConnect);
      ws.onMessage(ctx -> onText(ctx, ctx.message()));
      ws.onBinaryMessage(ctx -> onBinary(ctx));
      ws.onClose(ctx -> onClose(ctx, ctx.status(), ctx.reason()));
      ws.onError(ctx -> log.debug("WebSocket error on {}: {}", ctx.sessionId(),
          String.valueOf(ctx.error())));
    });
    app.get("/api/v1/delegates", ctx -> ctx.json(delegates()));
  }

  private ApiException checkUpgrade(String authorization) {
    if (closed.get()) {
      return new ApiException(503, "shutting_down", "The control plane is shutting down; reconnect",
          List.of());
    }
    String token = Requests.bearer(authorization);
    if (token == null) {
      return ApiException.unauthorized("Missing delegate token: send 'Authorization: Bearer <token>'"
          + " (create one with POST /api/v1/tokens)");
    }
    if (tokens.authenticate(token).isEmpty()) {
      return ApiException.unauthorized("Unknown or revoked delegate token; check DBOPS_TOKEN or "
          + "create a new one with POST /api/v1/tokens");
    }
    return null;
  }

  /** The connected delegates that completed the handshake. */
  public List<DelegateView> delegates() {
    List<DelegateView> views = new ArrayList<>();
    for (DelegateSession s : sessions.values()) {
      Frame.Hello h = s.hello();
      if (h != null) {
        views.add(new DelegateView(h.name(), h.instanceId(), h.version(), h.tags(), h.capacity(),
            s.running.get(), s.connectedAt));
      }
    }
    views.sort(Comparator.comparing(DelegateView::connectedAt));
    return views;
  }

  private void onConnect(WsContext ctx) {
    DelegateSession session =
        new DelegateSession(ids.next("ses-", 10), ctx, codec, clock.instant());
    sessions.put(ctx.sessionId(), session);
    log.info("Delegate WebSocket {} opened from {}", session.sessionId, ctx.host());
  }

  private void onBinary(WsContext ctx) {
    DelegateSession session = sessions.get(ctx.sessionId());
    if (session != null) {
      session.lastSeenMillis.set(clock.millis());
      session.send(new Frame.Error("malformed_frame", "Binary frames are not supported; send JSON text"));
    }
  }

  private void onText(WsContext ctx, String text) {
    DelegateSession session = sessions.get(ctx.sessionId());
    if (session == null) {
      return;
    }
    session.lastSeenMillis.set(clock.millis());
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (FrameCodec.MalformedFrameException e) {
      if (session.hello() == null) {
        refuse(session, "hello_required", "The first frame must be hello: " + e.getMessage(), 1008);
      } else {
        session.send(new Frame.Error(e.code(), e.getMessage()));
      }
      return;
    }
    if (session.hello() == null) {
      if (frame instanceof Frame.Hello hello) {
        onHello(session, hello);
      } else {
        refuse(session, "hello_required", "The first frame must be hello, not "
            + frame.getClass().getSimpleName(), 1008);
      }
      return;
    }
    try {
      handle(session, frame);
    } catch (RuntimeException e) {
      log.error("Failed to handle {} from {}", frame.getClass().getSimpleName(), session, e);
      session.send(new Frame.Error("internal_error", "The control plane failed to handle "
          + frame.getClass().getSimpleName() + "; it will be retried"));
    }
  }

  private void handle(DelegateSession session, Frame frame) {
    if (frame instanceof Frame.Heartbeat hb) {
      session.send(new Frame.HeartbeatAck(hb.seq(), hb.sentAtMillis()));
    } else if (frame instanceof Frame.HeartbeatAck) {
      // lastSeen already updated
    } else if (frame instanceof Frame.Claim claim) {
      onClaim(session, claim);
    } else if (frame instanceof Frame.TaskResult result) {
      onResult(session, result);
    } else if (frame instanceof Frame.Error error) {
      log.warn("Delegate {} reported error {}: {}", session, error.code(), error.message());
    } else if (frame instanceof Frame.Hello) {
      session.send(new Frame.Error("invalid_frame", "hello was already received on this connection"));
    } else {
      session.send(new Frame.Error("invalid_frame", "A delegate may not send "
          + frame.getClass().getSimpleName() + " frames"));
    }
  }

  private void onHello(DelegateSession session, Frame.Hello hello) {
    if (hello.protocolVersion() != Frame.PROTOCOL_VERSION) {
      refuse(session, "incompatible_version", "delegate speaks protocol " + hello.protocolVersion()
          + ", this control plane speaks " + Frame.PROTOCOL_VERSION, 1002);
      return;
    }
    List<String> problems = new ArrayList<>();
    if (hello.name() == null || hello.name().isBlank()) {
      problems.add("name is required");
    }
    if (hello.instanceId() == null || hello.instanceId().isBlank()) {
      problems.add("instanceId is required");
    }
    if (hello.capacity() < 1) {
      problems.add("capacity must be at least 1");
    }
    if (!problems.isEmpty()) {
      refuse(session, "invalid_frame", "Invalid hello: " + String.join("; ", problems), 1008);
      return;
    }
    session.running.set(queue.countRunning(hello.instanceId()));
    session.welcomed(hello);
    session.send(new Frame.Welcome(Frame.PROTOCOL_VERSION, session.sessionId, heartbeatSeconds));
    log.info("Delegate {} connected: version {}, tags {}, capacity {}, task types {}", session,
        hello.version(), hello.tags(), hello.capacity(), hello.taskTypes());
    dispatchSoon();
  }

  private void refuse(DelegateSession session, String code, String message, int closeCode) {
    log.warn("Refusing delegate session {}: {}", session.sessionId, message);
    session.send(new Frame.Error(code, message));
    session.close(closeCode, code);
  }

  private void onClaim(DelegateSession session, Frame.Claim claim) {
    String instanceId = session.instanceId();
    // One claim at a time per session, so the capacity check and the claim are atomic.
    synchronized (session) {
      Task task = queue.find(claim.taskId()).orElse(null);
      if (task == null) {
        session.send(new Frame.ClaimRejected(claim.taskId(), "not offered"));
        return;
      }
      if (Task.RUNNING.equals(task.status()) && instanceId.equals(task.delegateInstance())) {
        sendAssigned(session, task);
        return;
      }
      if (!Task.QUEUED.equals(task.status())) {
        session.send(new Frame.ClaimRejected(task.id(), "already taken"));
        return;
      }
      if (!eligible(session.hello(), task)) {
        session.send(new Frame.ClaimRejected(task.id(), "not offered"));
        return;
      }
      if (session.freeCapacity() <= 0) {
        session.send(new Frame.ClaimRejected(task.id(), "over capacity"));
        return;
      }
      switch (queue.claim(task.id(), instanceId)) {
        case ASSIGNED -> {
          session.running.incrementAndGet();
          log.info("Task {} ({}) of execution {} assigned to {}", task.id(), task.type(),
              task.executionId(), session);
          sendAssigned(session, queue.find(task.id()).orElse(task));
        }
        case ALREADY_HELD -> sendAssigned(session, queue.find(task.id()).orElse(task));
        case ALREADY_TAKEN -> session.send(new Frame.ClaimRejected(task.id(), "already taken"));
        case NOT_OFFERED -> session.send(new Frame.ClaimRejected(task.id(), "not offered"));
      }
    }
  }

  private void sendAssigned(DelegateSession session, Task task) {
    session.send(new Frame.TaskAssigned(task.id(), task.type(), task.attempt(),
        task.timeoutSeconds(), LEASE_SECONDS, assignedPayload.apply(task.type(), task.payload())));
  }

  private void onResult(DelegateSession session, Frame.TaskResult result) {
    String status = result.status() == null ? Task.FAILED : result.status().name();
    // Stored once; listeners (this hub and the orchestrator) hear about the first copy only.
    queue.complete(result.taskId(), session.instanceId(), status, result.error(), result.output());
    session.send(new Frame.ResultAck(result.taskId()));
  }

  @Override
  public void taskQueued(Task task) {
    dispatchSoon();
  }

  @Override
  public void taskFinished(Task task) {
    for (DelegateSession s : sessions.values()) {
      if (task.delegateInstance() != null && task.delegateInstance().equals(s.instanceId())) {
        s.running.updateAndGet(n -> Math.max(0, n - 1));
      }
    }
    dispatchSoon();
  }

  /** Offers queued tasks soon, on the dispatch thread; calls coalesce. */
  public void dispatchSoon() {
    ThreadPoolExecutor d = dispatcher;
    if (d != null && !closed.get() && dispatchPending.compareAndSet(false, true)) {
      d.execute(this::dispatch);
    }
  }

  private void dispatch() {
    dispatchPending.set(false);
    try {
      List<DelegateSession> ready = new ArrayList<>();
      for (DelegateSession s : sessions.values()) {
        if (s.ready() && s.freeCapacity() > 0) {
          ready.add(s);
        }
      }
      if (ready.isEmpty()) {
        return;
      }
      for (Task task : queue.queued(500)) {
        for (DelegateSession s : ready) {
          if (eligible(s.hello(), task) && s.freeCapacity() > 0) {
            s.send(new Frame.TaskOffer(task.id(), task.type()));
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("Dispatching queued tasks failed; retrying at the next heartbeat", e);
    }
  }

  static boolean eligible(Frame.Hello hello, Task task) {
    return hello != null
        && hello.taskTypes().contains(task.type())
        && hello.tags().containsAll(task.selectors())
        && (task.pinnedInstance() == null || task.pinnedInstance().equals(hello.instanceId()));
  }

  private void heartbeatTick() {
    try {
      long now = clock.millis();
      long silenceLimit = 3L * heartbeatSeconds * 1000L;
      for (DelegateSession s : sessions.values()) {
        long silent = now - s.lastSeenMillis.get();
        if (silent > silenceLimit) {
          log.warn("Closing delegate session {}: nothing received for {} ms (limit {} ms)", s, silent,
              silenceLimit);
          s.close(1001, "heartbeat timeout");
        } else if (s.hello() != null) {
          s.send(new Frame.Heartbeat(heartbeatSeq.incrementAndGet(), now));
        }
      }
      dispatchSoon();
    } catch (RuntimeException e) {
      log.error("Heartbeat tick failed", e);
    }
  }

  private void onClose(WsContext ctx, int status, String reason) {
    DelegateSession session = sessions.remove(ctx.sessionId());
    if (session != null) {
      log.info("Delegate session {} closed ({} {})", session, status, reason);
    }
  }

  /** Stops accepting delegates, closes every session and stops the hub's threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (DelegateSession s : sessions.values()) {
      s.close(1001, "control plane shutting down");
    }
    for (var executor : new java.util.concurrent.ExecutorService[] {heartbeats, dispatcher}) {
      if (executor != null) {
        executor.shutdownNow();
        try {
          executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
