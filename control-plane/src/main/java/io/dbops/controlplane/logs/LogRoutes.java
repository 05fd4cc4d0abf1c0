package io.dbops.controlplane.logs;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import io.dbops.logship.AppendRequest;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * The log service's HTTP edge (docs/api.md "Log service"): {@code POST /api/v1/logs}, {@code GET
 * /api/v1/logs/position}, {@code POST /api/v1/logs/close} with the stream's own log token;
 * {@code GET /api/v1/executions/{id}/logs/stream} (SSE) and {@code .../logs/streams} (verb read:
 * viewer).
 */
public final class LogRoutes implements Routes {
  private final LogService logs;

  /** Body of {@code POST /api/v1/logs/close}. */
  record CloseRequest(String stream, Long lastSeq) {}

  public LogRoutes(LogService logs) {
    this.logs = logs;
  }

  @Override
  public void addTo(Edge edge) {
    edge.post("/api/v1/logs", Access.logToken(), ctx -> {
      String token = token(ctx); // no token: 401 before the body is read
      AppendRequest request = AppendParser.parse(ctx.req().getInputStream());
      logs.authorize(token, request.stream());
      long through = logs.append(request.stream(), request.lines(), request.progress());
      ctx.json(Map.of("acceptedThrough", through));
    });
    edge.get("/api/v1/logs/position", Access.logToken(), ctx -> {
      String stream = ctx.queryParam("stream");
      logs.authorize(token(ctx), stream);
      LogStore.StreamRow row = logs.position(stream);
      ctx.json(Map.of("stream", stream, "lastSeq", row.lastSeq(), "nextSeq", row.lastSeq() + 1,
          "closed", row.closed()));
    });
    edge.post("/api/v1/logs/close", Access.logToken(), ctx -> {
      String token = token(ctx);
      CloseRequest request = Requests.body(ctx, CloseRequest.class);
      logs.authorize(token, request.stream());
      if (request.lastSeq() == null || request.lastSeq() < 0) {
        throw Refusal.invalid("lastSeq is required: the seq of the stream's last line (0"
            + " when empty)", List.of());
      }
      long last = logs.close(request.stream(), request.lastSeq());
      ctx.json(Map.of("stream", request.stream(), "lastSeq", last, "closed", true));
    });
    edge.get("/api/v1/executions/{id}/logs/stream", Access.verb(Verb.READ), logs.tail()::handle);
    edge.get("/api/v1/executions/{id}/logs/streams", Access.verb(Verb.READ),
        ctx -> ctx.json(logs.streams(ctx.pathParam("id"))));
  }

  private static String token(Context ctx) {
    String token = Requests.bearer(ctx.header("Authorization"));
    if (token == null) {
      throw Refusal.unauthenticated(
          "Missing log token: send 'Authorization: Bearer <token>' from the execute_step payload");
    }
    return token;
  }
}
