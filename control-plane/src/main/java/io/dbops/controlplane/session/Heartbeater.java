package io.dbops.controlplane.session;

import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.tokens.TokenService;
import io.dbops.protocol.Frame;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One heartbeat tick, every heartbeat interval on the hub's {@code cp-hub-timer-1}: closes
 * sessions silent for 3 intervals, sends a heartbeat to every welcomed session, refreshes their
 * {@code delegate_instances} rows, notices tokens revoked through other replicas and requests a
 * dispatch.
 */
final class Heartbeater {
  private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

  private final DelegateHub hub;
  private final ControlPlaneConfig config;
  private final TokenService tokens;
  private final DelegateRegistry registry;
  private final Collection<DelegateSession> sessions;
  private final Clock clock;
  private final AtomicLong heartbeatSeq = new AtomicLong();

  /**
   * @param hub ends silent sessions, revokes sessions and requests dispatches
   * @param sessions live view of the hub's sessions (owned by the hub)
   */
  Heartbeater(DelegateHub hub, ControlPlaneConfig config, TokenService tokens,
      DelegateRegistry registry, Collection<DelegateSession> sessions, Clock clock) {
    this.hub = hub;
    this.config = config;
    this.tokens = tokens;
    this.registry = registry;
    this.sessions = sessions;
    this.clock = clock;
  }

  void tick() {
    try {
      long now = clock.millis();
      long silenceLimit = 3L * config.heartbeatIntervalSeconds() * 1000L;
      List<String> alive = new ArrayList<>();
      Set<String> tokenIds = new HashSet<>();
      for (DelegateSession s : sessions) {
        long silent = now - s.lastSeenMillis.get();
        if (silent > silenceLimit) {
          log.warn("Closing delegate session {}: nothing received for {} ms (limit {} ms)", s, silent,
              silenceLimit);
          hub.end(s, 1001, "heartbeat timeout");
        } else if (s.hello() != null) {
          s.send(new Frame.Heartbeat(heartbeatSeq.incrementAndGet(), now));
          alive.add(s.sessionId);
          tokenIds.add(s.tokenId);
        }
      }
      registry.touch(alive, now);
      // Tokens revoked through another replica.
      Set<String> revoked = tokens.revokedAmong(tokenIds);
      for (DelegateSession s : sessions) {
        if (revoked.contains(s.tokenId)) {
          hub.revoke(s);
        }
      }
      hub.dispatchSoon();
    } catch (Throwable e) {
      log.error("Heartbeat tick failed", e);
    }
  }
}
