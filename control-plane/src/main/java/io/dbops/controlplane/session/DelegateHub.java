package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.http.ApiException;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskListener;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The delegate hub: authenticates delegates (WebSocket upgrade on {@code /api/v1/delegates/connect}
 * or a long-poll session), runs the hello/welcome handshake and heartbeats, keeps the registry of
 * connected sessions, offers queued tasks to matching delegates and handles claims, declines,
 * lease renewals, releases, results, drain and goodbye (docs/protocol.md). Both transports share
 * every line of session logic; only {@link Transport} differs.
 *
 * <p>Threads: frames are handled on Jetty's {@code cp-http-N} threads; {@code cp-hub-timer-1}
 * sends heartbeats, closes silent sessions, notices tokens revoked through other replicas, fails
 * tasks no delegate can run within the dispatch deadline, and triggers a dispatch scan every
 * {@code dispatchScanMillis} (tasks queued through another replica); {@code cp-dispatch-1} sends
 * offers (requests coalesce). Thread-safe. {@link #close} closes every session and stops both
 * threads; idempotent.
 */
public final class DelegateHub implements Routes, TaskListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DelegateHub.class);
  static final String PATH = "/api/v1/delegates/connect";
  /** Queued tasks considered per dispatch and per deadline check (oldest first). */
  static final int SCAN_LIMIT = 1000;

  private final ControlPlaneConfig config;
  private final TokenService tokens;
  private final TaskQueue queue;
  private final DelegateRegistry registry;
  private final BiFunction<String, JsonNode, JsonNode> assignedPayload;
  private final Metrics metrics;
  private final Clock clock;
  private final Ids ids;
  private final FrameCodec codec = new FrameCodec();
  private final Map<String, DelegateSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, DelegateSession> byWebSocket = new ConcurrentHashMap<>();
  private final AtomicBoolean dispatchPending = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong heartbeatSeq = new AtomicLong();
  private volatile ScheduledExecutorService timer;
  private volatile ThreadPoolExecutor dispatcher;

  /** A connected delegate, as {@code GET /api/v1/delegates} lists it. */
  public record DelegateView(String name, String instanceId, String version, List<String> tags,
      int capacity, int running, Instant connectedAt, String transport, String state) {}

  /**
   * @param assignedPayload turns a stored payload into the one sent in {@code task_assigned}
   *     (arguments: task type, stored payload), for example to add a log token
   */
  public DelegateHub(ControlPlaneConfig config, TokenService tokens, TaskQueue queue, Sql sql,
      BiFunction<String, JsonNode, JsonNode> assignedPayload, Metrics metrics, Clock clock,
      Ids ids) {
    this.config = config;
    this.tokens = tokens;
    this.queue = queue;
    this.registry = new DelegateRegistry(sql);
    this.assignedPayload = assignedPayload;
    this.metrics = metrics;
    this.clock = clock;
    this.ids = ids;
  }

  public void start() {
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-hub-timer", true));
    long hbMillis = config.heartbeatIntervalSeconds() * 1000L;
    t.scheduleWithFixedDelay(this::heartbeatTick, hbMillis, hbMillis, TimeUnit.MILLISECONDS);
    t.scheduleWithFixedDelay(this::dispatchSoon, config.dispatchScanMillis(),
        config.dispatchScanMillis(), TimeUnit.MILLISECONDS);
    t.scheduleWithFixedDelay(this::checkDeadlines, config.sweepPeriodMillis(),
        config.sweepPeriodMillis(), TimeUnit.MILLISECONDS);
    timer = t;
    // One pending dispatch is enough: requests coalesce, so the queue never grows past 1.
    dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1),
        new NamedThreadFactory("cp-dispatch", true), new ThreadPoolExecutor.DiscardPolicy());
  }

  @Override
  public void addTo(Javalin app) {
    app.wsBeforeUpgrade(PATH, ctx -> {
      try {
        authenticate(ctx.header("Authorization"));
      } catch (ApiException refusal) {
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
      ws.onMessage(ctx -> {
        DelegateSession s = byWebSocket.get(ctx.sessionId());
        if (s != null) {
          receive(s, ctx.message());
        }
      });
      ws.onBinaryMessage(ctx -> {
        DelegateSession s = byWebSocket.get(ctx.sessionId());
        if (s != null) {
          s.lastSeenMillis.set(clock.millis());
          s.send(new Frame.Error("malformed_frame", "Binary frames are not supported; send JSON text"));
        }
      });
      ws.onClose(ctx -> {
        DelegateSession s = byWebSocket.remove(ctx.sessionId());
        if (s != null) {
          forget(s, ctx.status() + " " + ctx.reason());
        }
      });
      ws.onError(ctx -> log.debug("WebSocket error on {}: {}", ctx.sessionId(),
          String.valueOf(ctx.error())));
    });
    app.get("/api/v1/delegates", ctx -> ctx.json(delegates()));
    new LongPollRoutes(this, codec).addTo(app);
  }

  /**
   * The token record of a valid, unrevoked bearer token.
   *
   * @throws ApiException 401 for a missing, unknown or revoked token, 503 while shutting down
   */
  TokenService.TokenInfo authenticate(String authorization) {
    if (closed.get()) {
      throw new ApiException(503, "shutting_down", "The control plane is shutting down; reconnect",
          List.of());
    }
    String token = Requests.bearer(authorization);
    if (token == null) {
      throw ApiException.unauthorized("Missing delegate token: send 'Authorization: Bearer <token>'"
          + " (create one with POST /api/v1/tokens)");
    }
    TokenService.TokenInfo info = tokens.lookup(token).orElseThrow(() -> ApiException.unauthorized(
        "Unknown delegate token; check DBOPS_TOKEN or create a new one with POST /api/v1/tokens"));
    if (info.revoked()) {
      throw ApiException.unauthorized("Delegate token " + info.id() + " (" + info.name()
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
            s.transport instanceof PollTransport ? "long-poll" : "websocket", state));
      }
    }
    views.sort(Comparator.comparing(DelegateView::connectedAt));
    return views;
  }

  /** Sessions of this server that completed the handshake. */
  public int connectedCount() {
    return (int) sessions.values().stream().filter(s -> s.hello() != null).count();
  }

  private void onConnect(WsContext ctx) {
    TokenService.TokenInfo token;
    try {
      token = authenticate(ctx.header("Authorization"));
    } catch (ApiException e) {
      ctx.closeSession(1008, "unauthorized");
      return;
    }
    DelegateSession session = newSession(token.id(), new WebSocketTransport(ctx));
    byWebSocket.put(ctx.sessionId(), session);
    log.info("Delegate WebSocket {} opened from {}", session.sessionId, ctx.host());
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
    } else if (frame instanceof Frame.LeaseRenew renew) {
      onLeaseRenew(session, renew);
    } else if (frame instanceof Frame.ClaimDeclined declined) {
      onDeclined(session, declined);
    } else if (frame instanceof Frame.TaskRelease release) {
      onRelease(session, release);
    } else if (frame instanceof Frame.Draining draining) {
      onDraining(session, draining);
    } else if (frame instanceof Frame.Goodbye goodbye) {
      log.info("Delegate {} said goodbye ({}); unregistered", session, goodbye.reason());
      end(session, 1000, "goodbye");
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
    registry.register(hello, session.sessionId, clock.millis());
    session.send(new Frame.Welcome(Frame.PROTOCOL_VERSION, session.sessionId,
        config.heartbeatIntervalSeconds()));
    log.info("Delegate {} connected from {}: version {}, tags {}, capacity {}, task types {}, "
            + "{} running task(s) re-announced", session, session.transport.remote(),
        hello.version(), hello.tags(), hello.capacity(), hello.taskTypes(), hello.running().size());
    reannounced(session, hello.running());
    requeueLostAssignments(session, hello);
    dispatchSoon();
  }

  /**
   * A task assigned to this instance that it neither runs nor holds a result for never reached it:
   * the connection dropped between the claim and the assignment. Results are kept until
   * acknowledged, so "not running and no result" means "never started"; the task is queued again
   * at once (attempt + 1) instead of waiting for its lease to lapse.
   */
  private void requeueLostAssignments(DelegateSession session, Frame.Hello hello) {
    Set<String> known = new HashSet<>();
    hello.running().forEach(t -> known.add(t.taskId()));
    hello.unacknowledged().forEach(t -> known.add(t.taskId()));
    for (TaskQueue.Held held : queue.heldBy(session.instanceId())) {
      if (!known.contains(held.id())) {
        queue.release(held.id(), session.instanceId()).ifPresent(t -> log.info(
            "Task {} ({}) was assigned to {} but never reached it; queued again as attempt {}",
            t.id(), t.type(), session, t.attempt()));
      }
    }
  }

  /** Re-leases re-announced tasks this instance still holds (same attempt); aborts the others. */
  private void reannounced(DelegateSession session, List<Frame.RunningTask> running) {
    if (running.isEmpty()) {
      return;
    }
    Map<String, Integer> held = new HashMap<>();
    for (TaskQueue.Held h : queue.heldBy(session.instanceId())) {
      held.put(h.id(), h.attempt());
    }
    List<String> keep = new ArrayList<>();
    List<Frame.Abort> aborts = new ArrayList<>();
    for (Frame.RunningTask rt : running) {
      Integer attempt = held.get(rt.taskId());
      if (attempt != null && attempt == rt.attempt()) {
        keep.add(rt.taskId());
      } else {
        aborts.add(new Frame.Abort(rt.taskId(), "attempt " + rt.attempt() + " of task "
            + rt.taskId() + " is no longer assigned to instance " + session.instanceId()
            + " (recovered, finished or unknown)"));
      }
    }
    queue.renew(session.instanceId(), keep, leaseEnd());
    aborts.forEach(session::send);
  }

  private void refuse(DelegateSession session, String code, String message, int closeCode) {
    log.warn("Refusing delegate session {}: {}", session.sessionId, message);
    session.send(new Frame.Error(code, message));
    end(session, closeCode, code);
  }

  /** Closes a session and unregisters it at once (the WebSocket close callback is a no-op then). */
  void end(DelegateSession session, int code, String reason) {
    forget(session, code + " " + reason);
    session.close(code, reason);
  }

  private void forget(DelegateSession session, String why) {
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

  private long leaseEnd() {
    return clock.millis() + config.leaseSeconds() * 1000L;
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
      if (!session.accepting() || !eligible(session.hello(), task)) {
        session.send(new Frame.ClaimRejected(task.id(), "not offered"));
        return;
      }
      if (session.freeCapacity() <= 0) {
        session.send(new Frame.ClaimRejected(task.id(), "over capacity"));
        return;
      }
      switch (queue.claim(task.id(), instanceId, session.tokenId, leaseEnd())) {
        case ASSIGNED -> {
          session.running.incrementAndGet();
          metrics.claimed();
          log.debug("Task {} ({}) of execution {} assigned to {}", task.id(), task.type(),
              task.executionId(), session);
          sendAssigned(session, queue.find(task.id()).orElse(task));
        }
        case ALREADY_HELD -> sendAssigned(session, queue.find(task.id()).orElse(task));
        case ALREADY_TAKEN -> {
          session.send(new Frame.ClaimRejected(task.id(), "already taken"));
          dispatchSoon();
        }
        case NOT_OFFERED -> session.send(new Frame.ClaimRejected(task.id(), "not offered"));
      }
    }
  }

  private void sendAssigned(DelegateSession session, Task task) {
    session.send(new Frame.TaskAssigned(task.id(), task.type(), task.attempt(),
        task.timeoutSeconds(), config.leaseSeconds(),
        assignedPayload.apply(task.type(), task.payload())));
  }

  private void onResult(DelegateSession session, Frame.TaskResult result) {
    String status = result.status() == null ? Task.FAILED : result.status().name();
    // Stored once; listeners (this hub and the orchestrator) hear about the first copy only. A
    // result of another attempt (the task was recovered meanwhile) is acknowledged and ignored.
    if (queue.complete(result.taskId(), session.instanceId(), session.tokenId, result.attempt(), status,
        result.error(), result.output()).isPresent()) {
      metrics.resultStored();
    }
    session.send(new Frame.ResultAck(result.taskId()));
  }

  private void onLeaseRenew(DelegateSession session, Frame.LeaseRenew renew) {
    Map<String, TaskQueue.Held> held = new HashMap<>();
    for (TaskQueue.Held h : queue.heldBy(session.instanceId())) {
      held.put(h.id(), h);
    }
    List<String> keep = new ArrayList<>();
    List<Frame.Abort> aborts = new ArrayList<>();
    for (String id : new HashSet<>(renew.taskIds())) {
      TaskQueue.Held h = held.get(id);
      if (h == null) {
        aborts.add(new Frame.Abort(id, "task " + id + " is not assigned to instance "
            + session.instanceId() + " (recovered, finished or unknown)"));
      } else {
        keep.add(id);
        if (h.abortReason() != null) {
          aborts.add(new Frame.Abort(id, h.abortReason()));
        }
      }
    }
    queue.renew(session.instanceId(), keep, leaseEnd());
    aborts.forEach(session::send);
  }

  private void onDeclined(DelegateSession session, Frame.ClaimDeclined declined) {
    if (declined.taskId() == null) {
      session.send(new Frame.Error("invalid_frame", "claim_declined needs a taskId"));
      return;
    }
    String reason = declined.reason() == null || declined.reason().isBlank()
        ? "declined without a reason" : declined.reason();
    session.declined.add(declined.taskId());
    queue.recordDecline(new TaskQueue.Decline(declined.taskId(), session.instanceId(),
        session.hello().name(), reason));
    log.info("Delegate {} declined task {}: {}", session, declined.taskId(), reason);
  }

  private void onRelease(DelegateSession session, Frame.TaskRelease release) {
    queue.release(release.taskId(), session.instanceId()).ifPresent(t -> log.info(
        "Delegate {} released task {} ({}): {}; queued again as attempt {}", session, t.id(),
        t.type(), release.reason(), t.attempt()));
  }

  private void onDraining(DelegateSession session, Frame.Draining draining) {
    session.draining();
    registry.stopAccepting(session.sessionId);
    log.info("Delegate {} is draining ({}); offering it nothing more", session, draining.reason());
  }

  /** A token was revoked (through this replica's API): tell its sessions at once. */
  public void tokenRevoked(String tokenId) {
    for (DelegateSession s : sessions.values()) {
      if (tokenId.equals(s.tokenId)) {
        revoke(s);
      }
    }
  }

  private void revoke(DelegateSession s) {
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
    ThreadPoolExecutor d = dispatcher;
    if (d != null && !closed.get() && dispatchPending.compareAndSet(false, true)) {
      d.execute(this::dispatch);
    }
  }

  /**
   * Offers each queued task (oldest first) to the eligible session with the most unoffered free
   * capacity; then, while sessions still have free capacity, offers tasks to them too (the first
   * claim wins). A session is never offered more tasks per pass than its free capacity.
   */
  private void dispatch() {
    dispatchPending.set(false);
    try {
      Map<DelegateSession, Integer> budget = new HashMap<>();
      for (DelegateSession s : sessions.values()) {
        if (s.accepting() && s.freeCapacity() > 0) {
          budget.put(s, s.freeCapacity());
        }
      }
      if (budget.isEmpty()) {
        return;
      }
      List<Task> queued = queue.queued(SCAN_LIMIT);
      Map<DelegateSession, Set<String>> offered = new HashMap<>();
      for (int pass = 0; pass < 2; pass++) {
        for (Task task : queued) {
          DelegateSession best = null;
          for (Map.Entry<DelegateSession, Integer> e : budget.entrySet()) {
            DelegateSession s = e.getKey();
            if (e.getValue() > 0 && offerable(s, task)
                && !offered.getOrDefault(s, Set.of()).contains(task.id())
                && (best == null || e.getValue() > budget.get(best))) {
              best = s;
            }
          }
          if (best != null) {
            best.send(new Frame.TaskOffer(task.id(), task.type(), task.reachability()));
            budget.merge(best, -1, Integer::sum);
            offered.computeIfAbsent(best, k -> new HashSet<>()).add(task.id());
          }
        }
      }
    } catch (RuntimeException e) {
      log.error("Dispatching queued tasks failed; retrying at the next scan", e);
    }
  }

  private static boolean offerable(DelegateSession s, Task task) {
    return eligible(s.hello(), task) && !s.declined.contains(task.id());
  }

  static boolean eligible(Frame.Hello hello, Task task) {
    return hello != null
        && hello.taskTypes().contains(task.type())
        && hello.tags().containsAll(task.selectors())
        && (task.pinnedInstance() == null || task.pinnedInstance().equals(hello.instanceId()));
  }

  /**
   * Fails queued tasks that no live delegate (of any replica) could run for longer than the
   * dispatch deadline, naming each delegate's reason.
   */
  void checkDeadlines() {
    try {
      List<Task> queued = queue.queued(SCAN_LIMIT);
      if (queued.isEmpty()) {
        return;
      }
      long now = clock.millis();
      long liveAfter = now - 3L * config.heartbeatIntervalSeconds() * 1000L
          - config.sweepPeriodMillis();
      List<DelegateRegistry.Registered> live = registry.live(liveAfter);
      List<String> queuedIds = queued.stream().map(Task::id).toList();
      Map<String, List<TaskQueue.Decline>> declines = queue.declines(queuedIds);
      Map<String, Long> since = queue.unmatchedSince(queuedIds);
      List<String> matched = new ArrayList<>();
      List<String> newlyUnmatched = new ArrayList<>();
      long cutoff = now - config.dispatchDeadlineSeconds() * 1000L;
      for (Task task : queued) {
        List<String> reasons = new ArrayList<>();
        boolean any = false;
        for (DelegateRegistry.Registered r : live) {
          String why = Eligibility.whyNot(r, task, declines.getOrDefault(task.id(), List.of()));
          if (why == null) {
            any = true;
            break;
          }
          reasons.add(r.name() + " (instance " + r.instanceId() + "): " + why);
        }
        Long unmatchedSince = since.get(task.id());
        if (any) {
          if (unmatchedSince != null) {
            matched.add(task.id());
          }
        } else if (unmatchedSince == null) {
          newlyUnmatched.add(task.id());
        } else if (unmatchedSince < cutoff) {
          String error = "no eligible delegate for " + task.type() + " of "
              + (task.stageName() == null ? "task " + task.id() : "stage " + task.stageName())
              + ": " + (reasons.isEmpty() ? "no delegate connected" : String.join("; ", reasons));
          if (queue.failUnmatched(task.id(), cutoff, error).isPresent()) {
            metrics.noEligibleDelegate();
            log.warn("Task {} of execution {} failed: {}", task.id(), task.executionId(), error);
          }
        }
      }
      queue.clearUnmatched(matched);
      queue.markUnmatched(newlyUnmatched, now);
    } catch (Throwable e) {
      log.error("Checking dispatch deadlines failed; retrying in {} ms", config.sweepPeriodMillis(),
          e);
    }
  }

  private void heartbeatTick() {
    try {
      long now = clock.millis();
      long silenceLimit = 3L * config.heartbeatIntervalSeconds() * 1000L;
      List<String> alive = new ArrayList<>();
      Set<String> tokenIds = new HashSet<>();
      for (DelegateSession s : sessions.values()) {
        long silent = now - s.lastSeenMillis.get();
        if (silent > silenceLimit) {
          log.warn("Closing delegate session {}: nothing received for {} ms (limit {} ms)", s, silent,
              silenceLimit);
          end(s, 1001, "heartbeat timeout");
        } else if (s.hello() != null) {
          s.send(new Frame.Heartbeat(heartbeatSeq.incrementAndGet(), now));
          alive.add(s.sessionId);
          tokenIds.add(s.tokenId);
        }
      }
      registry.touch(alive, now);
      // Tokens revoked through another replica.
      Set<String> revoked = tokens.revokedAmong(tokenIds);
      for (DelegateSession s : sessions.values()) {
        if (revoked.contains(s.tokenId)) {
          revoke(s);
        }
      }
      dispatchSoon();
    } catch (Throwable e) {
      log.error("Heartbeat tick failed", e);
    }
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
    for (var executor : new java.util.concurrent.ExecutorService[] {timer, dispatcher}) {
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
