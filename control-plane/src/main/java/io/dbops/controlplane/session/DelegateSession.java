package io.dbops.controlplane.session;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connected delegate, whatever its transport: the handshake state, its running count, and
 * what it may be offered. The hub serializes claims (and running-count updates) of one session
 * on the session itself.
 */
final class DelegateSession {
  final String sessionId;
  final String tokenId;
  final Instant connectedAt;
  final Transport transport;
  final AtomicInteger running = new AtomicInteger();
  final AtomicLong lastSeenMillis;
  /** Tasks this instance declined ({@code claim_declined}); they are not offered to it again. */
  final Set<String> declined = ConcurrentHashMap.newKeySet();
  private final FrameCodec codec;
  private volatile Frame.Hello hello;
  private volatile boolean draining;
  private volatile boolean revoked;

  DelegateSession(String sessionId, String tokenId, Transport transport, FrameCodec codec,
      Instant connectedAt) {
    this.sessionId = sessionId;
    this.tokenId = tokenId;
    this.transport = transport;
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

  void draining() {
    draining = true;
  }

  boolean isDraining() {
    return draining;
  }

  /** Marks the token revoked; true the first time. */
  boolean revoke() {
    boolean first = !revoked;
    revoked = true;
    return first;
  }

  boolean isRevoked() {
    return revoked;
  }

  /** Welcomed, open, and neither draining nor revoked: it may be offered and claim tasks. */
  boolean accepting() {
    return hello != null && !draining && !revoked && transport.isOpen();
  }

  int freeCapacity() {
    Frame.Hello h = hello;
    return h == null ? 0 : h.capacity() - running.get();
  }

  void send(Frame frame) {
    transport.send(codec.encode(frame));
  }

  void close(int code, String reason) {
    transport.close(code, reason);
  }

  @Override
  public String toString() {
    Frame.Hello h = hello;
    return sessionId + (h == null ? "" : " (" + h.name() + "/" + h.instanceId() + ")");
  }
}
