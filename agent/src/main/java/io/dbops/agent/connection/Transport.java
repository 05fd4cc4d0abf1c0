package io.dbops.agent.connection;

/**
 * How frames travel between the delegate and the control plane: a WebSocket or HTTP long-poll.
 * {@link ControlPlaneConnection} holds the session logic (hello/welcome, heartbeats, silence,
 * reconnects) once, above every transport; a transport only moves encoded frames.
 */
interface Transport {
  /**
   * Opens a session in the background whose first frame is {@code helloText}. Every later event
   * is reported to {@code listener}, on any thread; {@link Listener#onEnded} at most once.
   */
  Link open(String helloText, Listener listener);

  /** One session. Thread-safe. */
  interface Link {
    /** Queues one encoded frame; false when the session can no longer send. */
    boolean send(String text);

    /**
     * Ends the session politely after the frames already queued (WebSocket close 1000, long-poll
     * DELETE), bounded by a few seconds.
     */
    void close(String reason);

    /** Drops the session at once, without telling the peer. */
    void cancel();
  }

  /** Events of a {@link Link}. */
  interface Listener {
    /** One encoded frame from the control plane, in arrival order. */
    void onText(String text);

    /** The session ended (refused, failed, or closed by the peer); no event follows. */
    void onEnded(DelegateException reason);
  }
}
