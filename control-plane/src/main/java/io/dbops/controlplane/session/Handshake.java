package io.dbops.controlplane.session;

import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.protocol.Frame;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hello/welcome handshake of a session (docs/protocol.md): validates the hello, registers
 * the instance, sends welcome or refuses the session, re-leases the tasks the delegate
 * re-announces and queues again the assignments that never reached it. Runs on the thread that
 * received the hello ({@code cp-http-N}).
 */
final class Handshake {
  private static final Logger log = LoggerFactory.getLogger(Handshake.class);

  private final DelegateHub hub;
  private final ControlPlaneConfig config;
  private final TaskQueue queue;
  private final DelegateRegistry registry;
  private final Audit audit;
  private final Clock clock;

  /** @param hub ends refused sessions, gives lease ends and requests dispatches */
  Handshake(DelegateHub hub, ControlPlaneConfig config, TaskQueue queue, DelegateRegistry registry,
      Audit audit, Clock clock) {
    this.audit = audit;
    this.hub = hub;
    this.config = config;
    this.queue = queue;
    this.registry = registry;
    this.clock = clock;
  }

  void onHello(DelegateSession session, Frame.Hello hello) {
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
    audit.record(new AuditEvent(actor(session), "delegate.hello", hello.name() + " / "
        + hello.instanceId(), session.transport.remote(), "accepted", Map.of("version",
        String.valueOf(hello.version()), "tags", String.join(",", hello.tags()))));
    reannounced(session, hello.running());
    requeueLostAssignments(session, hello);
    hub.dispatchSoon();
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
    queue.renew(session.instanceId(), keep, hub.leaseEnd());
    aborts.forEach(session::send);
  }

  /** Sends the error, then closes and unregisters the session. */
  void refuse(DelegateSession session, String code, String message, int closeCode) {
    log.warn("Refusing delegate session {}: {}", session.sessionId, message);
    audit.record(new AuditEvent(actor(session), "delegate.hello", session.sessionId,
        session.transport.remote(), "refused: " + code, Map.of("reason", message)));
    session.send(new Frame.Error(code, message));
    hub.end(session, closeCode, code);
  }

  private static String actor(DelegateSession session) {
    return "delegate token " + session.tokenId;
  }
}
