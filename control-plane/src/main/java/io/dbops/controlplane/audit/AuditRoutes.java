package io.dbops.controlplane.audit;

import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Requests;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Verb;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/audit?actor=&action=&target=&since=&limit=} (newest first) and {@code GET
 * /api/v1/audit/verify} (recomputes the hash chain), both verb audit (admin). Contract H.
 */
public final class AuditRoutes implements Routes {
  private final AuditLog log;

  public AuditRoutes(AuditLog log) {
    this.log = log;
  }

  @Override
  public void addTo(Edge edge) {
    edge.get("/api/v1/audit", Access.verb(Verb.AUDIT), ctx -> {
      int limit = (int) Requests.longParam(ctx, "limit", 100, 1, 1000);
      ctx.json(log.list(new AuditLog.Filter(ctx.queryParam("actor"), ctx.queryParam("action"),
          ctx.queryParam("target"), since(ctx.queryParam("since")), limit)));
    });
    edge.get("/api/v1/audit/verify", Access.verb(Verb.AUDIT), ctx -> {
      AuditLog.Verification v = log.verify();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ok", v.ok());
      body.put("entries", v.entries());
      if (v.firstBad() != null) {
        body.put("firstBad", Map.of("seq", v.firstBad().seq(), "reason", v.firstBad().reason()));
      }
      ctx.json(body);
    });
  }

  private static Instant since(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(raw.trim());
    } catch (DateTimeParseException e) {
      throw Refusal.invalid("Query parameter 'since' must be an ISO-8601 instant such as"
          + " 2026-01-31T12:00:00Z, not '" + raw + "'", List.of());
    }
  }
}
