package io.dbops.controlplane.session;

import io.dbops.controlplane.http.Refusals;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.tokens.TokenService;
import io.dbops.protocol.Frame;
import io.dbops.support.Json;
import io.javalin.websocket.WsContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket transport's routes on {@code /api/v1/delegates/connect}: checks the bearer token
 * before the upgrade, opens a hub session per socket and hands its text frames to the hub.
 * Callbacks run on Jetty's {@code cp-http-N} threads.
 */
final class WebSocketRoutes implements Routes {
  private static final Logger log = LoggerFactory.getLogger(WebSocketRoutes.class);
  static final String PATH = "/api/v1/delegates/connect";

  private final DelegateHub hub;
  private final Clock clock;
  private final Map<String, DelegateSession> byWebSocket = new ConcurrentHashMap<>();

  WebSocketRoutes(DelegateHub hub, Clock clock) {
    this.hub = hub;
    this.clock = clock;
  }

  @Override
  public void addTo(Edge edge) {
    edge.ws(PATH, Access.delegateToken(), ctx -> {
      try {
        hub.authenticate(ctx.header("Authorization"));
      } catch (Refusal refusal) {
        hub.connectRefused(ctx.ip(), refusal);
        // Javalin drops the body of an exception mapped during an upgrade, so the ApiError is
        // written and committed here; the exception then stops the upgrade.
        var res = ctx.res();
        res.setStatus(Refusals.status(refusal.kind()));
        res.setContentType("application/json");
        res.getOutputStream().write(Json.write(Refusals.body(refusal)).getBytes(StandardCharsets.UTF_8));
        res.flushBuffer();
        throw refusal;
      }
    }, ws -> {
      ws.onConnect(this::onConnect);
      ws.onMessage(ctx -> {
        DelegateSession s = byWebSocket.get(ctx.sessionId());
        if (s != null) {
          hub.receive(s, ctx.message());
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
          hub.forget(s, ctx.status() + " " + ctx.reason());
        }
      });
      ws.onError(ctx -> log.debug("WebSocket error on {}: {}", ctx.sessionId(),
          String.valueOf(ctx.error())));
    });
  }

  private void onConnect(WsContext ctx) {
    TokenService.TokenInfo token;
    try {
      token = hub.authenticate(ctx.header("Authorization"));
    } catch (Refusal e) {
      ctx.closeSession(1008, "unauthorized");
      return;
    }
    DelegateSession session = hub.newSession(token.id(), new WebSocketTransport(ctx));
    byWebSocket.put(ctx.sessionId(), session);
    log.info("Delegate WebSocket {} opened from {}", session.sessionId, ctx.host());
  }
}
