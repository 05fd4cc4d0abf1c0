package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskListener;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.controlplane.tokens.TokenService;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.ExecutorShutdown;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delegate hub: authenticates delegates (WebSocket upgrade on {@code /api/v1/delegates/connect}
 * through {@link WebSocketRoutes}, or a long-poll session through {@link LongPollRoutes}), keeps
 * the registry of connected sessions and routes each session's frames (docs/protocol.md): before
 * hello to {@link Handshake}, after it to {@link TaskFrames}.
 * {@link TaskDispatcher} offers queued tasks and enforces the dispatch deadline;
 * {@link Heartbeater} keeps sessions alive. Both transports share every line of session logic;
 * only {@link Transport} differs.
 *
 * <p>Threads: frames are handled on Jetty's {@code cp-http-N} threads; {@code cp-hub-timer-1}
 * sends heartbeats, closes silent sessions, notices tokens revoked through other replicas, fails
 * tasks no delegate can run within the dispatch deadline, and triggers a dispatch scan every
 * {@code dispatchScanMillis} (tasks queued through another replica); {@code cp-dispatch-1} sends
 * offers (requests coalesce). Thread-safe. {@link #close} closes every session and stops both
 * threads; idempotent.
 */
public final class DelegateHub implements TaskListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DelegateHub.class);

  private final ControlPlaneConfig config;
  private final TokenService tokens;
  private final TaskQueue queue;
  private final Clock clock;
  private final Ids ids;
  private final FrameCodec codec = new FrameCodec();
  private final Map<String, DelegateSession> sessions = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final DelegateRegistry registry;
  private final Handshake handshake;
  private final TaskFrames taskFrames;
  private final TaskDispatcher dispatcher;
  private final Heartbeater heartbeater;
  private final Audit audit;
  private volatile ScheduledExecutorService timer;
  private final PollWaits pollWaits = new PollWaits();

  /**
   * A connected delegate, as {@code GET /api/v1/delegates} lists it.
   *
   * @param lastSeenAt when its last frame (a heartbeat at the latest) arrived
   */
  public record DelegateView(String name, String instanceId, String version, List<String> tags,
      int capacity, int running, Instant connectedAt, String transport, String state,
      Instant lastSeenAt) {}

  /**
   * @param assignedPayload turns a stored payload into the one sent in {@code task_assigned}
   *     (arguments: task type, stored payload), for example to add a log token
   * @param secrets then seals the task's store secrets to the claiming delegate process
   */
  public DelegateHub(ControlPlaneConfig config, TokenService tokens, TaskQueue queue, Sql sql,
      BiFunction<String, JsonNode, JsonNode> assignedPayload, AssignmentSecrets secrets,
      Metrics metrics, Audit audit, Clock clock, Ids ids) {
    this.config = config;
    this.audit = audit;
    this.tokens = tokens;
    this.queue = queue;
    this.clock = clock;
    this.ids = ids;
    this.registry = new DelegateRegistry(sql);
    // The collaborators only keep the references; nothing starts before start().
    this.handshake = new Handshake(this, config, queue, registry, audit, clock);
    this.taskFrames = new TaskFrames(this, config, queue, registry, assignedPayload, secrets,
        metrics);
    this.dispatcher = new TaskDispatcher(config, queue, registry, sessions.values(), metrics, clock,
        closed::get);
    this.heartbeater = new Heartbeater(this, config, tokens, registry, sessions.values(), clock);
  }

  public void start() {
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-hub-timer", true));
    long hbMillis = config.heartbeatIntervalSeconds() * 1000L;
    t.scheduleWithFixedDelay(heartbeater::tick, hbMillis, hbMillis, TimeUnit.MILLISECONDS);
    t.scheduleWithFixedDelay(this::dispatchSoon, config.dispatchScanMillis(),
        config.dispatchScanMillis(), TimeUnit.MILLISECONDS);
    t.scheduleWithFixedDelay(dispatcher::checkDeadlines, config.sweepPeriodMillis(),
        config.sweepPeriodMillis(), TimeUnit.MILLISECONDS);
    timer = t;
    pollWaits.start();
    dispatcher.start();
  }

  Clock clock() {
    return clock;
  }

  /** The executor on which long polls wait without an HTTP thread. */
  PollWaits pollWaits() {
    return pollWaits;
  }

  FrameCodec codec() {
    return codec;
  }

  /** Records a refused connection attempt (no hello yet: the delegate token was not accepted). */
  void connectRefused(String address, Refusal refusal) {
    audit.record(new AuditEvent("anonymous", "delegate.connect", "", address,
        "refused: " + io.dbops.controlplane.http.Refusals.status(refusal.kind()) + " " + refusal.code(), Map.of()));
  }

  /**
   * The token record of a valid, unrevoked bearer token.
   *
   * @throws Refusal 401 for a missing, unknown or revoked token, 503 while shutting down
   */
  TokenService.TokenInfo authenticate(String authorization) {
    if (closed.get()) {
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "shutting_down", "The control plane is shutting down; reconnect",
          List.of());
    }
    String token = Requests.bearer(authorization);
    if (token == null) {
      throw Refusal.unauthenticated("Missing delegate token: send 'Authorization: Bearer <token>'"
          + " (create one with POST /api/v1/tokens)");
    }
    TokenService.TokenInfo info = tokens.lookup(token).orElseThrow(() -> Refusal.unauthenticated(
        "Unknown delegate token; check DBOPS_TOKEN or create a new one with POST /api/v1/tokens"));
    if (info.revoked()) {
      throw Refusal.unauthenticated("Delegate token " + info.id() + " (" + info.name()
          + ") was revoked; create a new one with POST /api/v1/tokens and set DBOPS_TOKEN");
    }
    return info;
  }

  /** The token record (revoked or not) of a bearer token, or null. */
  TokenService.TokenInfo lookupToken(String authorization) {
    String token = Requests.bearer(authorization);
    return token == null ? null : tokens.lookup(token).orElse(null);
  }

  /** The connected delegates of this server that completed the handshake, oldest first. */
  public List<DelegateView> delegates() {
    List<DelegateView> views = new ArrayList<>();
    for (DelegateSession s : sessions.values()) {
      Frame.Hello h = s.hello();
      if (h != null) {
        String state = s.isRevoked() ? "revoked" : s.isDraining() ? "draining" : "active";
        views.add(new DelegateView(h.name(), h.instanceId(), h.version(), h.tags(), h.capacity(),
            s.running.get(), s.connectedAt,
            s.transport instanceof PollTransport ? "long-poll" : "websocket", state,
            Instant.ofEpochMilli(s.lastSeenMillis.get())));
      }
    }
    views.sort(Comparator.comparing(DelegateView::connectedAt));
    return views;
  }

  /** Sessions of this server that completed the handshake. */
  public int connectedCount() {
    return (int) sessions.values().stream().filter(s -> s.hello() != null).count();
  }

  DelegateSession newSession(String tokenId, Transport transport) {
    DelegateSession session = new DelegateSession(ids.next("ses-", 10), tokenId, transport, codec,
        clock.instant());
    sessions.put(session.sessionId, session);
    return session;
  }

  DelegateSession session(String sessionId) {
    return sessions.get(sessionId);
  }

  /** Handles one text frame of a session, whatever its transport. */
  void receive(DelegateSession session, String text) {
    session.lastSeenMillis.set(clock.millis());
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (FrameCodec.MalformedFrameException e) {
      if (session.hello() == null) {
        handshake.refuse(session, "hello_required", "The first frame must be hello: "
            + e.getMessage(), 1008);
      } else {
        session.send(new Frame.Error(e.code(), e.getMessage()));
      }
      return;
    }
    if (session.hello() == null) {
      if (frame instanceof Frame.Hello hello) {
        handshake.onHello(session, hello);
      } else {
        handshake.refuse(session, "hello_required", "The first frame must be hello, not "
            + frame.getClass().getSimpleName(), 1008);
      }
      return;
    }
    try {
      taskFrames.handle(session, frame);
    } catch (RuntimeException e) {
      log.error("Failed to handle {} from {}", frame.getClass().getSimpleName(), session, e);
      session.send(new Frame.Error("internal_error", "The control plane failed to handle "
          + frame.getClass().getSimpleName() + "; it will be retried"));
    }
  }

  /** Closes a session and unregisters it at once (the WebSocket close callback is a no-op then). */
  void end(DelegateSession session, int code, String reason) {
    forget(session, code + " " + reason);
    session.close(code, reason);
  }

  /** Removes and unregisters a session already closed by its transport. */
  void forget(DelegateSession session, String why) {
    if (sessions.remove(session.sessionId) != null) {
      if (session.hello() != null) {
        try {
          registry.unregister(session.sessionId);
        } catch (RuntimeException e) {
          log.warn("Cannot unregister {} (its registry row expires by itself): {}", session,
              e.toString());
        }
      }
      log.info("Delegate session {} closed ({})", session, why);
    }
  }

  /** The lease end of a task claimed or renewed now. */
  long leaseEnd() {
    return clock.millis() + config.leaseSeconds() * 1000L;
  }

  /** A token was revoked (through this replica's API): tell its sessions at once. */
  public void tokenRevoked(String tokenId) {
    for (DelegateSession s : sessions.values()) {
      if (tokenId.equals(s.tokenId)) {
        revoke(s);
      }
    }
  }

  /** Tells the session its token was revoked and stops offering it tasks; once per session. */
  void revoke(DelegateSession s) {
    if (s.revoke()) {
      log.warn("Token {} of delegate {} was revoked: offering it nothing more", s.tokenId, s);
      s.send(new Frame.Revoked("The token of this delegate (" + s.tokenId + ") was revoked: finish "
          + "the running tasks and claim nothing more"));
      if (s.hello() != null) {
        registry.stopAccepting(s.sessionId);
      }
    }
  }

  @Override
  public void taskQueued(Task task) {
    dispatchSoon();
  }

  @Override
  public void taskRequeued(Task task, String previousInstance) {
    recount(previousInstance);
    dispatchSoon();
  }

  @Override
  public void taskFinished(Task task) {
    recount(task.delegateInstance());
    dispatchSoon();
  }

  @Override
  public void taskAbortRequested(Task task) {
    for (DelegateSession s : sessions.values()) {
      if (task.delegateInstance() != null && task.delegateInstance().equals(s.instanceId())) {
        s.send(new Frame.Abort(task.id(), task.abortReason()));
      }
    }
  }

  private void recount(String instanceId) {
    if (instanceId == null) {
      return;
    }
    for (DelegateSession s : sessions.values()) {
      if (instanceId.equals(s.instanceId())) {
        synchronized (s) {
          s.running.set(queue.countRunning(instanceId));
        }
      }
    }
  }

  /** Offers queued tasks soon, on the dispatch thread; calls coalesce. */
  public void dispatchSoon() {
    dispatcher.dispatchSoon();
  }

  /** Stops accepting delegates, closes every session and stops the hub's threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (DelegateSession s : sessions.values()) {
      end(s, 1001, "control plane shutting down");
    }
    pollWaits.close();
    ScheduledExecutorService t = timer;
    if (t != null) {
      ExecutorShutdown.now(t);
    }
    dispatcher.close();
  }
}
