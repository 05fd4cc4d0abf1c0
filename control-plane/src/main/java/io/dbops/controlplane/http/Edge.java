package io.dbops.controlplane.http;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.identity.Caller;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.websocket.WsConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one place routes are registered: each needs an {@link Access} rule, which the {@link Gate}
 * enforces before the handler runs, and {@link #routes()} lists every route with its rule. Every
 * mutating route that needs an API token is audited here, with the action and target its
 * handler names through {@link #audit} (default: the method and path), and its outcome.
 */
public final class Edge {
  private static final String CALLER = "dbops.caller";
  private static final String NOTE = "dbops.audit";

  private final Javalin app;
  private final Gate gate;
  private final Audit audit;
  private final List<RouteRule> table = new CopyOnWriteArrayList<>();

  /** What a handler tells the audit log about its request. */
  private record Note(String action, String target, Map<String, String> details) {}

  public Edge(Javalin app, Gate gate, Audit audit) {
    this.app = app;
    this.gate = gate;
    this.audit = audit;
  }

  public void get(String path, Access access, Handler handler) {
    add(HandlerType.GET, path, access, handler);
  }

  public void post(String path, Access access, Handler handler) {
    add(HandlerType.POST, path, access, handler);
  }

  public void put(String path, Access access, Handler handler) {
    add(HandlerType.PUT, path, access, handler);
  }

  public void delete(String path, Access access, Handler handler) {
    add(HandlerType.DELETE, path, access, handler);
  }

  /**
   * A WebSocket route. Only {@link Access#delegateToken()} or {@link Access#open()} rules: the
   * upgrade handler checks the credential itself (Javalin cannot map errors during an upgrade).
   */
  public void ws(String path, Access access, Handler beforeUpgrade, Consumer<WsConfig> ws) {
    Objects.requireNonNull(access, () -> "WS " + path + " has no access rule");
    if (access.kind() == Access.Kind.API_TOKEN) {
      throw new IllegalArgumentException("WebSocket routes check their own credential: WS " + path);
    }
    table.add(new RouteRule("WS", path, access));
    app.wsBeforeUpgrade(path, beforeUpgrade);
    app.ws(path, ws);
  }

  /** Every route registered so far, with its rule, in registration order. */
  public List<RouteRule> routes() {
    return List.copyOf(table);
  }

  /** The caller of an {@link Access.Kind#API_TOKEN} route. */
  public static Caller caller(Context ctx) {
    Caller caller = ctx.attribute(CALLER);
    if (caller == null) {
      throw new IllegalStateException("No API caller on " + ctx.method() + " " + ctx.path());
    }
    return caller;
  }

  /** Names the audited action and its target (never a secret value) for this request. */
  public static void audit(Context ctx, String action, String target) {
    audit(ctx, action, target, Map.of());
  }

  public static void audit(Context ctx, String action, String target, Map<String, String> details) {
    ctx.attribute(NOTE, new Note(action, target, details));
  }

  private void add(HandlerType method, String path, Access access, Handler handler) {
    Objects.requireNonNull(access, () -> method + " " + path + " has no access rule");
    Objects.requireNonNull(handler, "handler");
    RouteRule rule = new RouteRule(method.name(), path, access);
    if (table.stream().anyMatch(r -> r.method().equals(rule.method()) && r.path().equals(path))) {
      throw new IllegalStateException("Route " + rule + " is registered twice");
    }
    table.add(rule);
    boolean audited = access.kind() == Access.Kind.API_TOKEN && rule.mutating();
    app.addHttpHandler(method, path, ctx -> {
      Caller caller = gate.admit(ctx, rule);
      if (caller != null) {
        ctx.attribute(CALLER, caller);
      }
      if (!audited) {
        handler.handle(ctx);
        return;
      }
      try {
        handler.handle(ctx);
        int status = ctx.statusCode();
        record(ctx, rule, caller, status < 400 ? "ok" : "failed: " + status);
      } catch (Refusal e) {
        record(ctx, rule, caller, "failed: " + Refusals.status(e.kind()) + " " + e.code());
        throw e;
      } catch (Exception | Error e) {
        record(ctx, rule, caller, "failed: 500 internal_error");
        throw e;
      }
    });
  }

  private void record(Context ctx, RouteRule rule, Caller caller, String outcome) {
    Note note = ctx.attribute(NOTE);
    String action = note != null ? note.action() : rule.method() + " " + rule.path();
    String target = note != null ? note.target() : ctx.path();
    Map<String, String> details = new HashMap<>(note != null ? note.details() : Map.of());
    details.put("route", rule.method() + " " + rule.path());
    audit.record(new AuditEvent(caller.token().label(), action, target, caller.address(), outcome,
        details));
  }
}
