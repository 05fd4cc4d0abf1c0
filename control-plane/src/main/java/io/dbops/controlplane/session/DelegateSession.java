package io.dbops.controlplane.session;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.javalin.websocket.WsContext;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.CloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected delegate WebSocket. Sends are serialized on {@code sendLock}; claims of one
 * session are serialized on the session itself (see {@link DelegateHub}).
 */
final class DelegateSession {
  private static final Logger log = LoggerFactory.getLogger(DelegateSession.class);

  final String sessionId;
  final Instant connectedAt;
  final AtomicInteger running = new AtomicInteger();
  final AtomicLong lastSeenMillis;
  private final WsContext ctx;
  private final FrameCodec codec;
  private final Object sendLock = new Object();
  private volatile Frame.Hello hello;

  DelegateSession(String sessionId, WsContext ctx, FrameCodec codec, Instant connectedAt) {
    this.sessionId = sessionId;
    this.ctx = ctx;
    this.codec = codec;
    this.connectedAt = connectedAt;
    this.lastSeenMillis = new AtomicLong(connectedAt.toEpochMilli());
  }

  Frame.Hello hello() {
    return hello;
  }

  void welcomed(Frame.Hello h) {
    this.hello = h;
  }

  String instanceId() {
    Frame.Hello h = hello;
    return h == null ? null : h.instanceId();
  }

  boolean ready() {
    return hello != null && ctx.session.isOpen();
  }

  int freeCapacity() {
    Frame.Hello h = hello;
    return h == null ? 0 : h.capacity() - running.get();
  }

  /** Sends a frame; a failure (peer gone) is logged and otherwise ignored: the close handler cleans up. */
  void send(Frame frame) {
    String text = codec.encode(frame);
    synchronized (sendLock) {
      try {
        if (ctx.session.isOpen()) {
          ctx.send(text);
        }
      } catch (RuntimeException e) {
        log.debug("Cannot send {} to session {}: {}", frame.getClass().getSimpleName(), sessionId,
            e.toString());
      }
    }
  }

  void close(int code, String reason) {
    try {
      ctx.closeSession(new CloseStatus(code, reason));
    } catch (RuntimeException e) {
      log.debug("Closing session {} failed: {}", sessionId, e.toString());
    }
  }

  @Override
  public String toString() {
    Frame.Hello h = hello;
    return sessionId + (h == null ? "" : " (" + h.name() + "/" + h.instanceId() + ")");
  }
}
