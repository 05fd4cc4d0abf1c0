package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.queue.Task;
import io.dbops.controlplane.queue.TaskQueue;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames of a welcomed session (docs/protocol.md): heartbeats, claim, task_result, lease_renew,
 * claim_declined, task_release, draining, goodbye and error; anything else is answered with
 * {@code invalid_frame}. Runs on the thread that received the frame ({@code cp-http-N}); claims
 * of one session are serialized on the session.
 */
final class TaskFrames {
  private static final Logger log = LoggerFactory.getLogger(TaskFrames.class);

  private final DelegateHub hub;
  private final ControlPlaneConfig config;
  private final TaskQueue queue;
  private final DelegateRegistry registry;
  private final BiFunction<String, JsonNode, JsonNode> assignedPayload;
  private final AssignmentSecrets secrets;
  private final Metrics metrics;

  /**
   * @param hub ends sessions on goodbye, gives lease ends and requests dispatches
   * @param assignedPayload turns a stored payload into the one sent in {@code task_assigned}
   * @param secrets seals the task's store secrets to the session's delegate, last
   */
  TaskFrames(DelegateHub hub, ControlPlaneConfig config, TaskQueue queue,
      DelegateRegistry registry, BiFunction<String, JsonNode, JsonNode> assignedPayload,
      AssignmentSecrets secrets, Metrics metrics) {
    this.hub = hub;
    this.config = config;
    this.queue = queue;
    this.registry = registry;
    this.assignedPayload = assignedPayload;
    this.secrets = secrets;
    this.metrics = metrics;
  }

  void handle(DelegateSession session, Frame frame) {
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
      hub.end(session, 1000, "goodbye");
    } else if (frame instanceof Frame.Error error) {
      log.warn("Delegate {} reported error {}: {}", session, error.code(), error.message());
    } else if (frame instanceof Frame.Hello) {
      session.send(new Frame.Error("invalid_frame", "hello was already received on this connection"));
    } else {
      session.send(new Frame.Error("invalid_frame", "A delegate may not send "
          + frame.getClass().getSimpleName() + " frames"));
    }
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
      if (task.status() == TaskStatus.RUNNING && instanceId.equals(task.delegateInstance())) {
        sendAssigned(session, task);
        return;
      }
      if (task.status() != TaskStatus.QUEUED) {
        session.send(new Frame.ClaimRejected(task.id(), "already taken"));
        return;
      }
      if (!session.accepting() || !Eligibility.eligible(session.hello(), task)) {
        session.send(new Frame.ClaimRejected(task.id(), "not offered"));
        return;
      }
      if (session.freeCapacity() <= 0) {
        session.send(new Frame.ClaimRejected(task.id(), "over capacity"));
        return;
      }
      switch (queue.claim(task.id(), instanceId, session.hello().name(), session.tokenId,
          hub.leaseEnd())) {
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
          hub.dispatchSoon();
        }
        case NOT_OFFERED -> session.send(new Frame.ClaimRejected(task.id(), "not offered"));
      }
    }
  }

  private void sendAssigned(DelegateSession session, Task task) {
    JsonNode payload;
    try {
      payload = secrets.seal(task.id(), task.type(), assignedPayload.apply(task.type(), task.payload()),
          session.hello().sealingKey());
    } catch (AssignmentSecrets.Refused e) {
      // Not retryable: queueing the task again would fail the same way on every delegate.
      log.warn("Task {} ({}) of execution {} failed at assignment to {}: {}", task.id(), task.type(),
          task.executionId(), session, e.getMessage());
      queue.fail(task.id(), e.getMessage());
      session.send(new Frame.ClaimRejected(task.id(), e.getMessage()));
      return;
    }
    session.send(new Frame.TaskAssigned(task.id(), task.type(), task.attempt(),
        task.timeoutSeconds(), config.leaseSeconds(), payload));
  }

  private void onResult(DelegateSession session, Frame.TaskResult result) {
    TaskStatus status = result.status() == null ? TaskStatus.FAILED : result.status();
    // Stored once; listeners (the hub and the orchestrator) hear about the first copy only. A
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
    queue.renew(session.instanceId(), keep, hub.leaseEnd());
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
}
