package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.http.Access;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.http.Edge;
import io.dbops.controlplane.http.Routes;
import io.dbops.controlplane.identity.Caller;
import io.dbops.controlplane.identity.Verb;
import io.dbops.support.Json;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog API (docs/api.md "Environments, targets and pipelines"): reads need verb
 * {@code read}; writes to environments and targets verb {@code configure} (admin), to pipelines
 * verb {@code pipelines} (deployer); runs verb {@code run}; the declarative apply any API token,
 * then the verb of each kind the document holds. A token limited to environments may write and
 * run only what touches its environments. Every write, run and apply is audited.
 */
public final class CatalogRoutes implements Routes {
  /** The body of a run. */
  record RunBody(Map<String, String> inputs, Integer version, String source) {}

  private final CatalogService catalog;

  public CatalogRoutes(CatalogService catalog) {
    this.catalog = catalog;
  }

  @Override
  public void addTo(Edge edge) {
    for (Kind kind : Kind.values()) {
      String base = "/api/v1/" + kind.plural();
      Verb write = kind == Kind.PIPELINE ? Verb.PIPELINES : Verb.CONFIGURE;
      edge.get(base, Access.verb(Verb.READ), mapped(ctx -> ctx.json(catalog.list(kind))));
      edge.get(base + "/{name}", Access.verb(Verb.READ),
          mapped(ctx -> ctx.json(catalog.get(kind, ctx.pathParam("name")))));
      edge.put(base + "/{name}", Access.verb(write), mapped(ctx -> put(ctx, kind)));
      edge.delete(base + "/{name}", Access.verb(write), mapped(ctx -> delete(ctx, kind)));
    }
    edge.get("/api/v1/pipelines/{name}/versions", Access.verb(Verb.READ),
        mapped(ctx -> ctx.json(catalog.versions(ctx.pathParam("name")))));
    edge.get("/api/v1/pipelines/{name}/versions/{version}", Access.verb(Verb.READ), mapped(ctx ->
        ctx.json(catalog.version(ctx.pathParam("name"), version(ctx)))));
    edge.post("/api/v1/pipelines/{name}/runs", Access.verb(Verb.RUN), mapped(this::run));
    edge.post("/api/v1/apply", Access.anyApiToken(), mapped(this::apply));
  }

  private void put(Context ctx, Kind kind) {
    String name = ctx.pathParam("name");
    Edge.audit(ctx, kind.id() + ".put", name);
    Object value = catalog.read(kind, name, json(ctx), ctx.queryParam("baseDirectory"));
    Caller caller = Edge.caller(ctx);
    caller.requireEnvironments(catalog.environmentsOf(kind, value), kind.id() + " '" + name + "'");
    Change change = catalog.put(kind, value, caller.token().label());
    Edge.audit(ctx, kind.id() + ".put", name, details(change));
    ctx.status("created".equals(change.action()) ? 201 : 200).json(change);
  }

  private void delete(Context ctx, Kind kind) {
    String name = ctx.pathParam("name");
    Edge.audit(ctx, kind.id() + ".delete", name);
    CatalogObject existing = catalog.get(kind, name);
    Object value = Json.convert(existing.spec(), kind.type());
    Edge.caller(ctx).requireEnvironments(catalog.environmentsOf(kind, value),
        kind.id() + " '" + name + "'");
    catalog.delete(kind, name);
    ctx.json(Map.of("kind", kind.id(), "name", name, "deleted", true));
  }

  private void run(Context ctx) {
    String name = ctx.pathParam("name");
    Edge.audit(ctx, "pipeline.run", name);
    JsonNode body = ctx.body().isBlank() ? Json.mapper().createObjectNode() : json(ctx);
    DocumentReader.Read<RunBody> read = DocumentReader.object(body, RunBody.class, "");
    if (!read.problems().isEmpty()) {
      throw Refusal.invalid("Invalid run request: " + read.problems().size()
          + " problem(s); see details", read.problems());
    }
    RunBody run = read.value();
    String header = ctx.header(io.dbops.controlplane.executions.ExecutionRoutes.CLIENT_HEADER);
    String source = run.source() != null ? run.source()
        : header != null && "cli".equalsIgnoreCase(header.trim()) ? "cli" : "api";
    if (!List.of("api", "cli").contains(source)) {
      throw Refusal.invalid("source must be api or cli", List.of("source must be api or cli"));
    }
    Caller caller = Edge.caller(ctx);
    CatalogService.RunResult result = catalog.run(new RunRequest(name, run.version(),
        run.inputs(), caller.token().name(), caller.token().label(), source),
        envs -> caller.requireEnvironments(envs, "pipeline '" + name + "'"));
    Edge.audit(ctx, "pipeline.run", result.executionId(), Map.of("pipeline", name,
        "version", Integer.toString(result.version())));
    ctx.status(201).json(Map.of("id", result.executionId(), "pipeline", name,
        "version", result.version()));
  }

  private void apply(Context ctx) {
    boolean dryRun = Boolean.parseBoolean(ctx.queryParam("dryRun"));
    Edge.audit(ctx, "catalog.apply", dryRun ? "dry run" : "apply");
    CatalogDocument doc = catalog.read(ctx.body(), ctx.queryParam("baseDirectory"));
    Caller caller = Edge.caller(ctx);
    if (!doc.environments().isEmpty() || !doc.targets().isEmpty()) {
      requireVerb(caller, Verb.CONFIGURE, "environments or targets");
    }
    if (!doc.pipelines().isEmpty()) {
      requireVerb(caller, Verb.PIPELINES, "pipelines");
    }
    caller.requireEnvironments(catalog.environmentsOf(doc), "the document");
    List<Change> changes = catalog.apply(doc, dryRun, caller.token().label());
    Map<String, String> details = new LinkedHashMap<>();
    for (Change c : changes) {
      details.put(c.kind() + "/" + c.name(), c.action()
          + (c.version() == null ? "" : " (version " + c.version() + ")"));
    }
    Edge.audit(ctx, "catalog.apply", dryRun ? "dry run" : "apply", details);
    ctx.json(Map.of("dryRun", dryRun, "changes", changes));
  }

  private static void requireVerb(Caller caller, Verb verb, String what) {
    if (!caller.token().allows(verb)) {
      boolean roleGrants = caller.token().roles().stream().anyMatch(r -> r.grants(verb));
      throw Refusal.forbidden("POST /api/v1/apply with " + what + " needs verb '" + verb.id()
          + "' (role " + verb.leastRole().id() + " or admin); token '" + caller.token().name()
          + "' may not: " + (roleGrants ? "its verbs are limited to " + caller.token().verbIds()
          + " (rule: token verbs)" : "it has role(s) " + caller.token().roleIds() + " (rule: roles)"));
    }
  }

  private static int version(Context ctx) {
    String raw = ctx.pathParam("version");
    try {
      int version = Integer.parseInt(raw);
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw Refusal.invalid("A pipeline version is a number from 1, not '" + raw + "'",
        List.of());
  }

  private static Map<String, String> details(Change change) {
    return change.version() == null ? Map.of("action", change.action())
        : Map.of("action", change.action(), "version", Integer.toString(change.version()));
  }

  private static JsonNode json(Context ctx) {
    try {
      JsonNode node = Json.mapper().readTree(ctx.body());
      if (node == null || node.isMissingNode()) {
        throw Refusal.invalid("The request body is empty; send a JSON object", List.of());
      }
      return node;
    } catch (IOException e) {
      throw Refusal.invalid("The request body is not valid JSON", List.of(
          "the body must be a JSON object"));
    }
  }

  /** {@link CatalogService#resolveAdHoc} for the executions routes, its refusals as 400. */
  public static java.util.function.UnaryOperator<io.dbops.pipeline.Pipeline> adHocResolver(
      CatalogService catalog) {
    return pipeline -> {
      try {
        return catalog.resolveAdHoc(pipeline);
      } catch (CatalogException e) {
        throw Refusal.invalid(e.getMessage(), e.problems());
      }
    };
  }

  /** The handler with {@link CatalogException}s mapped to 400, 404 and 409. */
  private static Handler mapped(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (CatalogException e) {
        throw switch (e.reason()) {
          case INVALID -> Refusal.invalid(e.getMessage(), e.problems());
          case NOT_FOUND -> Refusal.notFound(e.getMessage());
          case CONFLICT -> new Refusal(Refusal.Kind.CONFLICT, "conflict", e.getMessage(), e.problems());
        };
      }
    };
  }
}
