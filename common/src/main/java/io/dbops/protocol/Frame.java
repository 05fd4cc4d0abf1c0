package io.dbops.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A message on the delegate ⇄ control plane WebSocket, protocol version {@link #PROTOCOL_VERSION}.
 * Every frame is one JSON text message with a {@code type} field; see {@code docs/protocol.md}.
 *
 * <p>Frames are immutable records and safe to pass between threads.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Frame.Hello.class, name = "hello"),
  @JsonSubTypes.Type(value = Frame.Welcome.class, name = "welcome"),
  @JsonSubTypes.Type(value = Frame.Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = Frame.HeartbeatAck.class, name = "heartbeat_ack"),
  @JsonSubTypes.Type(value = Frame.TaskOffer.class, name = "task_offer"),
  @JsonSubTypes.Type(value = Frame.Claim.class, name = "claim"),
  @JsonSubTypes.Type(value = Frame.TaskAssigned.class, name = "task_assigned"),
  @JsonSubTypes.Type(value = Frame.ClaimRejected.class, name = "claim_rejected"),
  @JsonSubTypes.Type(value = Frame.TaskResult.class, name = "task_result"),
  @JsonSubTypes.Type(value = Frame.ResultAck.class, name = "result_ack"),
  @JsonSubTypes.Type(value = Frame.Error.class, name = "error"),
  @JsonSubTypes.Type(value = Frame.ClaimDeclined.class, name = "claim_declined"),
  @JsonSubTypes.Type(value = Frame.LeaseRenew.class, name = "lease_renew"),
  @JsonSubTypes.Type(value = Frame.Abort.class, name = "abort"),
  @JsonSubTypes.Type(value = Frame.TaskRelease.class, name = "task_release"),
  @JsonSubTypes.Type(value = Frame.Draining.class, name = "draining"),
  @JsonSubTypes.Type(value = Frame.Revoked.class, name = "revoked"),
  @JsonSubTypes.Type(value = Frame.Goodbye.class, name = "goodbye"),
})
public sealed interface Frame {

  /** The protocol version this build speaks. */
  int PROTOCOL_VERSION = 1;

  /**
   * Delegate → control plane, first frame after the WebSocket opens.
   *
   * @param running tasks this instance is still running, re-announced after a reconnect
   * @param unacknowledged tasks whose results this instance holds and will resend after welcome
   * @param sealingKey this process's X25519 public key (base64 X.509), to which the control plane
   *     seals store secrets of the tasks it assigns ({@link io.dbops.secrets.SealedBox}); null
   *     from a delegate that cannot open sealed values
   */
  record Hello(
      int protocolVersion,
      String name,
      String instanceId,
      String version,
      java.util.List<String> tags,
      int capacity,
      java.util.List<String> taskTypes,
      java.util.List<RunningTask> running,
      java.util.List<RunningTask> unacknowledged,
      String sealingKey)
      implements Frame {
    public Hello {
      tags = tags == null ? java.util.List.of() : java.util.List.copyOf(tags);
      taskTypes = taskTypes == null ? java.util.List.of() : java.util.List.copyOf(taskTypes);
      running = running == null ? java.util.List.of() : java.util.List.copyOf(running);
      unacknowledged = unacknowledged == null ? java.util.List.of() : java.util.List.copyOf(unacknowledged);
    }

    /** A hello without running tasks or results (a fresh process). */
    public Hello(int protocolVersion, String name, String instanceId, String version,
        java.util.List<String> tags, int capacity, java.util.List<String> taskTypes) {
      this(protocolVersion, name, instanceId, version, tags, capacity, taskTypes, java.util.List.of(),
          java.util.List.of(), null);
    }

    /** A hello without a sealing key. */
    public Hello(int protocolVersion, String name, String instanceId, String version,
        java.util.List<String> tags, int capacity, java.util.List<String> taskTypes,
        java.util.List<RunningTask> running, java.util.List<RunningTask> unacknowledged) {
      this(protocolVersion, name, instanceId, version, tags, capacity, taskTypes, running, unacknowledged,
          null);
    }
  }

  /** A task a delegate instance is running, as re-announced in {@link Hello}. */
  record RunningTask(String taskId, int attempt) {}

  /** Control plane → delegate, answer to a valid {@link Hello}. */
  record Welcome(int protocolVersion, String sessionId, int heartbeatIntervalSeconds)
      implements Frame {}

  /** Either direction; the receiver answers with {@link HeartbeatAck} carrying the same seq. */
  record Heartbeat(long seq, long sentAtMillis) implements Frame {}

  /** Answer to a {@link Heartbeat}. */
  record HeartbeatAck(long seq, long sentAtMillis) implements Frame {}

  /**
   * Control plane → delegate: a task the delegate may claim. Carries no payload.
   *
   * @param reachability {@code host:port} the delegate must be able to open a TCP connection to
   *     before claiming (the target database); null when no check is asked for
   */
  record TaskOffer(String taskId, String taskType, String reachability) implements Frame {
    public TaskOffer(String taskId, String taskType) {
      this(taskId, taskType, null);
    }
  }

  /** Delegate → control plane: the delegate will not claim an offered task, and why. */
  record ClaimDeclined(String taskId, String reason) implements Frame {}

  /** Delegate → control plane: asks for exclusive ownership of an offered task. */
  record Claim(String taskId) implements Frame {}

  /**
   * Control plane → delegate: the claim succeeded; the task is this delegate's to run.
   *
   * @param leaseSeconds the lease lapses unless renewed ({@link LeaseRenew}) within this time
   */
  record TaskAssigned(
      String taskId,
      String taskType,
      int attempt,
      int timeoutSeconds,
      int leaseSeconds,
      com.fasterxml.jackson.databind.JsonNode payload)
      implements Frame {}

  /** Delegate → control plane: extends the leases of the tasks this instance is running. */
  record LeaseRenew(java.util.List<String> taskIds) implements Frame {
    public LeaseRenew {
      taskIds = taskIds == null ? java.util.List.of() : java.util.List.copyOf(taskIds);
    }
  }

  /** Control plane → delegate: stop running the task and report it failed. */
  record Abort(String taskId, String reason) implements Frame {}

  /** Delegate → control plane: hands back a claimed task it has not started (drain). */
  record TaskRelease(String taskId, String reason) implements Frame {}

  /** Delegate → control plane: stop offering tasks to this instance; it is shutting down. */
  record Draining(String reason) implements Frame {}

  /** Control plane → delegate: the token was revoked; finish running tasks, claim nothing more. */
  record Revoked(String message) implements Frame {}

  /** Delegate → control plane: the instance unregisters; the socket closes next. */
  record Goodbye(String reason) implements Frame {}

  /** Control plane → delegate: the claim failed, for example "already taken". */
  record ClaimRejected(String taskId, String reason) implements Frame {}

  /** Delegate → control plane: the outcome of a task. Sent until acknowledged. */
  record TaskResult(
      String taskId,
      int attempt,
      TaskStatus status,
      String error,
      com.fasterxml.jackson.databind.JsonNode output)
      implements Frame {}

  /** Control plane → delegate: the result of {@code taskId} is stored; forget it. */
  record ResultAck(String taskId) implements Frame {}

  /** Control plane → delegate: the connection is refused or about to close, and why. */
  record Error(String code, String message) implements Frame {}
}
