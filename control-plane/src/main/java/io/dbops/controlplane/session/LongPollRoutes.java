package io.dbops.controlplane.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.tokens.TokenService;
import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import io.dbops.support.Json;
import io.javalin.http.Context;
import java.util.List;

/**
 * The long-poll transport (docs/protocol.md "Long-poll transport"): the same sessions and frames
 * as the WebSocket, over plain HTTP requests. Every request carries the delegate token; requests
 * on an existing session are accepted with a token revoked meanwhile (so running tasks can still
 * renew leases and report results), new sessions are not. A {@code GET .../frames} waits
 * asynchronously (see {@link PollTransport#poll}), so waiting polls hold no HTTP thread.
 */
final class LongPollRoutes implements Routes {
  static final String BASE = "/api/v1/delegates/poll/sessions";
  static final long MAX_WAIT_MILLIS = 30_000;

  private final DelegateHub hub;
  private final FrameCodec codec;
  private final PollWaits waits;

  LongPollRoutes(DelegateHub hub, FrameCodec codec, PollWaits waits) {
    this.hub = hub;
    this.codec = codec;
    this.waits = waits;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post(BASE, Access.delegateToken(), this::open);
    edge.post(BASE + "/{id}/frames", Access.delegateToken(), ctx -> {
      DelegateSession session = session(ctx);
      JsonNode frames = parseArray(ctx.body());
      for (JsonNode frame : frames) {
        hub.receive(session, frame.toString());
      }
      ctx.status(204);
    });
    edge.get(BASE + "/{id}/frames", Access.delegateToken(), ctx -> {
      DelegateSession session = session(ctx);
      long wait = Requests.longParam(ctx, "waitMillis", 0, 0, MAX_WAIT_MILLIS);
      PollTransport transport = (PollTransport) session.transport;
      // Asynchronous: the wait holds no HTTP thread (issue 13).
      ctx.future(() -> transport.poll(wait).thenAccept(frames -> {
        session.lastSeenMillis.set(System.currentTimeMillis());
        ctx.contentType("application/json").result("[" + String.join(",", frames) + "]");
      }));
    });
    edge.delete(BASE + "/{id}", Access.delegateToken(), ctx -> {
      DelegateSession session = session(ctx);
      hub.end(session, 1000, "goodbye");
      ctx.status(204);
    });
  }

  private void open(Context ctx) {
    TokenService.TokenInfo token;
    try {
      token = hub.authenticate(ctx.header("Authorization"));
    } catch (Refusal refusal) {
      hub.connectRefused(ctx.ip(), refusal);
      throw refusal;
    }
    String body = ctx.body();
    PollTransport transport = new PollTransport(ctx.ip(), waits.executor());
    DelegateSession session = hub.newSession(token.id(), transport);
    hub.receive(session, body);
    List<String> frames = transport.drain();
    if (!transport.isOpen() || session.hello() == null) {
      hub.end(session, 1008, "refused");
      Frame.Error error = null;
      for (String f : frames) {
        try {
          if (codec.decode(f) instanceof Frame.Error e) {
            error = e;
          }
        } catch (FrameCodec.MalformedFrameException ignored) {
          // our own frames always decode
        }
      }
      throw new Refusal(Refusal.Kind.INVALID, error == null ? "invalid_frame" : error.code(),
          error == null ? "The body must be a valid hello frame" : error.message(), List.of());
    }
    ctx.status(201).contentType("application/json").result("{\"sessionId\":"
        + Json.write(session.sessionId) + ",\"frames\":[" + String.join(",", frames) + "]}");
  }

  private DelegateSession session(Context ctx) {
    String id = ctx.pathParam("id");
    // The credential first, so that without one no session id is confirmed or denied.
    TokenService.TokenInfo token = hub.lookupToken(ctx.header("Authorization"));
    if (token == null) {
      throw Refusal.unauthenticated("Missing or unknown delegate token: send 'Authorization:"
          + " Bearer <token>' (the DBOPS_TOKEN of the delegate that opened the session)");
    }
    DelegateSession session = hub.session(id);
    if (session == null || !(session.transport instanceof PollTransport)) {
      throw new Refusal(Refusal.Kind.NOT_FOUND, "unknown_session", "No long-poll session '" + id
          + "' (it expired or was closed); start a new one with POST " + BASE, List.of());
    }
    if (!token.id().equals(session.tokenId)) {
      throw Refusal.unauthenticated("The delegate token does not belong to session '" + id + "'");
    }
    session.lastSeenMillis.set(System.currentTimeMillis());
    return session;
  }

  private static JsonNode parseArray(String body) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(body);
    } catch (java.io.IOException e) {
      throw Refusal.invalid("The body must be a JSON array of frames: " + e.getMessage(),
          List.of());
    }
    if (node == null || !node.isArray()) {
      throw Refusal.invalid("The body must be a JSON array of frames", List.of());
    }
    return node;
  }
}
