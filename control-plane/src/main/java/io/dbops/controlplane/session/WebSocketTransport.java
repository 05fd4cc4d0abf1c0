package io.dbops.controlplane.session;

import io.javalin.websocket.WsContext;
import org.eclipse.jetty.websocket.api.CloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A delegate WebSocket (Jetty via Javalin). Sends are serialized. */
final class WebSocketTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(WebSocketTransport.class);

  private final WsContext ctx;
  private final Object sendLock = new Object();

  WebSocketTransport(WsContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void send(String text) {
    synchronized (sendLock) {
      try {
        if (ctx.session.isOpen()) {
          ctx.send(text);
        }
      } catch (RuntimeException e) {
        log.debug("Cannot send to WebSocket {}: {}", ctx.sessionId(), e.toString());
      }
    }
  }

  @Override
  public void close(int code, String reason) {
    try {
      ctx.closeSession(new CloseStatus(code, reason));
    } catch (RuntimeException e) {
      log.debug("Closing WebSocket {} failed: {}", ctx.sessionId(), e.toString());
    }
  }

  @Override
  public boolean isOpen() {
    return ctx.session.isOpen();
  }

  @Override
  public String remote() {
    return ctx.host();
  }
}
