package io.dbops.agent.connection;

import io.dbops.protocol.Frame;

/**
 * Receives the task frames of a {@link ControlPlaneConnection}. Every method is called on the
 * connection's single thread ({@code delegate-connection-1}), in arrival order, and must not block.
 */
public interface FrameHandler {
  /** A session was welcomed: resend what is unacknowledged. */
  void onWelcome();

  /** The session ended; a new one will follow after backoff. */
  void onDisconnected();

  /** Once per heartbeat interval while welcomed: renew leases. */
  void onHeartbeat();

  /** A frame other than welcome, heartbeat, heartbeat_ack and error. */
  void onFrame(Frame frame);

  /**
   * A connection attempt was refused for the token (HTTP 401 or 403: unknown or revoked); the
   * connection keeps retrying at its slowest pace.
   */
  default void onTokenRefused() {}
}
