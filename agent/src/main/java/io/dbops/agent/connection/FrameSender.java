package io.dbops.agent.connection;

import io.dbops.protocol.Frame;

/** Sends frames to the control plane. Thread-safe. */
public interface FrameSender {
  /**
   * Queues a frame on the current session.
   *
   * @return false when no session is welcomed; the caller keeps what it must resend
   */
  boolean send(Frame frame);
}
