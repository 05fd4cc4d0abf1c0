package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.pipeline.Stage;
import io.dbops.support.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Stored environments, targets and pipelines (docs/environments.md): read, put, delete, the
 * declarative apply, and runs of stored pipelines, which it resolves (inputs, targets,
 * environments) and hands to the executions service. Knows nothing of HTTP ({@link CatalogRoutes}
 * is its edge); refusals are {@link CatalogException}s. Thread-safe.
 */
public final class CatalogService {
  /** Submits a resolved pipeline; returns the execution id (the executions service in production). */
  @FunctionalInterface
  public interface Submitter {
    String submit(Pipeline pipeline, ExecutionOrigin origin);
  }

  /** A started run: the execution and the pipeline version it runs. */
  public record RunResult(String executionId, String pipeline, int version) {}

  /** Canonical JSON: fields in declaration order, map keys sorted, empty values left out. */
  private static final ObjectMapper CANONICAL = Json.mapper().copy()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);

  private final Sql sql;
  private final Clock clock;
  private final CatalogStore store = new CatalogStore();
  private final CatalogValidator validator;
  private final PipelineRuns runs;

  /** @param limits the ceilings on stages and steps of a pipeline, as for submitted ones */
  public CatalogService(Sql sql, Clock clock, PipelineLimits limits, Submitter submitter) {
    this.sql = sql;
    this.clock = clock;
    this.validator = new CatalogValidator(limits);
    this.runs = new PipelineRuns(sql, store, new StageResolver(this::target, this::environment,
        this::targets),
        submitter);
  }

  // ---- reads

  /** Every object of a kind: environments in their order, the others by name. */
  public List<CatalogObject> list(Kind kind) {
    List<CatalogObject> objects = sql.withConnection(c -> store.list(c, kind)).stream()
        .map(CatalogService::view).collect(Collectors.toCollection(ArrayList::new));
    if (kind == Kind.ENVIRONMENT) {
      objects.sort(Comparator.comparingInt((CatalogObject o) -> o.spec().path("order").asInt(0))
          .thenComparing(CatalogObject::name));
    }
    return objects;
  }

  public CatalogObject get(Kind kind, String name) {
    return sql.withConnection(c -> store.find(c, kind, name)).map(CatalogService::view)
        .orElseThrow(() -> CatalogException.notFound(kind, name));
  }

  /** The stored environment of that name: its approval rule, policy rule and selectors. */
  public Optional<Environment> environment(String name) {
    return sql.withConnection(c -> store.find(c, Kind.ENVIRONMENT, name))
        .map(row -> parse(row.definition(), Environment.class));
  }

  /** Every stored target, by name (a rollout stage's group selects among them). */
  public List<Target> targets() {
    return sql.withConnection(c -> store.list(c, Kind.TARGET)).stream()
        .map(row -> parse(row.definition(), Target.class))
        .sorted(Comparator.comparing(Target::name)).toList();
  }

  public Optional<Target> target(String name) {
    return sql.withConnection(c -> store.find(c, Kind.TARGET, name))
        .map(row -> parse(row.definition(), Target.class));
  }

  /** The names of the stored targets of an environment, sorted (empty for an unknown one). */
  public List<String> targetsIn(String environment) {
    return sql.withConnection(c -> store.targetsIn(c, environment));
  }

  /** Every stored environment, in their order. */
  public List<Environment> environments() {
    return list(Kind.ENVIRONMENT).stream().map(o -> Json.convert(o.spec(), Environment.class)).toList();
  }

  /** Every stored pipeline (its current version). */
  public List<StoredPipeline> pipelines() {
    return sql.withConnection(c -> store.list(c, Kind.PIPELINE)).stream()
        .map(row -> parse(row.definition(), StoredPipeline.class)).toList();
  }

  /** Every version of a pipeline, newest first (also of a deleted one). */
  public List<CatalogObject> versions(String name) {
    List<CatalogStore.Version> versions = sql.withConnection(c -> store.versions(c, name));
    if (versions.isEmpty()) {
      throw CatalogException.notFound(Kind.PIPELINE, name);
    }
    return versions.stream().map(CatalogService::view).toList();
  }

  public CatalogObject version(String name, int version) {
    return sql.withConnection(c -> store.version(c, name, version)).map(CatalogService::view)
        .orElseThrow(() -> new CatalogException(CatalogException.Reason.NOT_FOUND, "Pipeline '"
            + name + "' has no version " + version + "; list them with GET /api/v1/pipelines/"
            + name + "/versions", List.of()));
  }

  // ---- writes

  /**
   * Reads one object of {@code kind} from a PUT body; its {@code name} may be left out (the path
   * names it). Relative search paths of a pipeline's steps resolve against {@code baseDirectory}.
   *
   * @throws CatalogException INVALID listing every problem
   */
  public Object read(Kind kind, String name, JsonNode body, String baseDirectory) {
    if (body != null && body.isObject() && !body.has("name")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("name", name);
    }
    DocumentReader.Read<?> read = DocumentReader.object(body, kind.type(), "");
    List<String> problems = new ArrayList<>(read.problems());
    Object value = read.value();
    if (value != null && !name.equals(nameOf(value))) {
      problems.add("name '" + nameOf(value) + "' differs from the name in the path '" + name + "'");
    }
    if (value instanceof StoredPipeline p) {
      value = DocumentCheck.withBase(p, baseDirectory, "", problems);
    }
    if (problems.isEmpty()) {
      Object v = value;
      sql.withConnection(c -> {
        switch (kind) {
          case ENVIRONMENT -> validator.environment((Environment) v, "", problems);
          case TARGET -> validator.target((Target) v, "",
              env -> exists(c, Kind.ENVIRONMENT, env), problems);
          case PIPELINE -> validator.pipeline((StoredPipeline) v, "",
              t -> exists(c, Kind.TARGET, t), problems);
        }
        return null;
      });
    }
    if (!problems.isEmpty()) {
      throw CatalogException.invalid("Invalid " + kind.id() + " '" + name + "'", problems);
    }
    return value;
  }

  /** Creates or replaces one object read by {@link #read(Kind, String, JsonNode, String)}. */
  public Change put(Kind kind, Object value, String actor) {
    return sql.inTransaction(3, c -> write(c, kind, value, actor, false));
  }

  /**
   * Reads the declarative document, resolving relative search paths against {@code baseDirectory}.
   * Every problem carries its line and column where the parser knows them.
   *
   * @throws CatalogException INVALID listing every problem
   */
  public CatalogDocument read(String text, String baseDirectory) {
    Set<String> environments = sql.withConnection(c -> names(c, Kind.ENVIRONMENT));
    Set<String> targets = sql.withConnection(c -> names(c, Kind.TARGET));
    return DocumentCheck.read(text, baseDirectory, environments, targets, validator);
  }

  /** Creates or updates every object of the document in one transaction (nothing in a dry run). */
  public List<Change> apply(CatalogDocument doc, boolean dryRun, String actor) {
    return sql.inTransaction(3, c -> {
      List<Change> changes = new ArrayList<>();
      for (Environment e : doc.environments()) {
        changes.add(write(c, Kind.ENVIRONMENT, e, actor, dryRun));
      }
      for (Target t : doc.targets()) {
        changes.add(write(c, Kind.TARGET, t, actor, dryRun));
      }
      for (StoredPipeline p : doc.pipelines()) {
        changes.add(write(c, Kind.PIPELINE, p, actor, dryRun));
      }
      return changes;
    });
  }

  /**
   * Deletes an object. An environment with targets, or a target a pipeline names, is refused
   * (CONFLICT); a pipeline's versions are kept (a pipeline stored again continues its numbering).
   */
  public void delete(Kind kind, String name) {
    sql.inTransaction(c -> {
      if (store.find(c, kind, name).isEmpty()) {
        throw CatalogException.notFound(kind, name);
      }
      List<String> users = switch (kind) {
        case ENVIRONMENT -> store.targetsIn(c, name).stream().map(t -> "target '" + t + "'")
            .toList();
        case TARGET -> store.list(c, Kind.PIPELINE).stream()
            .filter(row -> parse(row.definition(), StoredPipeline.class).stages().stream()
                .anyMatch(s -> name.equals(s.target())))
            .map(row -> "pipeline '" + row.name() + "'").toList();
        case PIPELINE -> List.<String>of();
      };
      if (!users.isEmpty()) {
        throw new CatalogException(CatalogException.Reason.CONFLICT, kind.id() + " '" + name
            + "' is still used by " + String.join(", ", users) + "; change or delete "
            + (users.size() == 1 ? "it" : "them") + " first", users);
      }
      store.delete(c, kind, name);
      return null;
    });
  }

  /** The environments an object touches (for tokens limited to environments). */
  public List<String> environmentsOf(Kind kind, Object value) {
    return switch (kind) {
      case ENVIRONMENT -> List.of(((Environment) value).name());
      case TARGET -> List.of(((Target) value).environment());
      case PIPELINE -> {
        Set<String> envs = new TreeSet<>();
        for (Stage s : ((StoredPipeline) value).stages()) {
          target(s.target()).ifPresent(t -> envs.add(t.environment()));
        }
        yield List.copyOf(envs);
      }
    };
  }

  /** The environments every object of a document touches; targets of the document count. */
  public List<String> environmentsOf(CatalogDocument doc) {
    Set<String> envs = new TreeSet<>();
    doc.environments().forEach(e -> envs.add(e.name()));
    doc.targets().forEach(t -> envs.add(t.environment()));
    for (StoredPipeline p : doc.pipelines()) {
      for (Stage s : p.stages()) {
        doc.targets().stream().filter(t -> t.name().equals(s.target())).findFirst()
            .or(() -> target(s.target())).ifPresent(t -> envs.add(t.environment()));
      }
    }
    return List.copyOf(envs);
  }

  // ---- runs

  /**
   * Runs a stored pipeline: its inputs checked and substituted, its targets resolved; {@code
   * environmentGate} sees the environments it deploys to (and throws to refuse); then submitted.
   *
   * @throws CatalogException NOT_FOUND for an unknown pipeline or version, INVALID for bad inputs
   *     or targets that cannot be resolved
   */
  public RunResult run(RunRequest request, Consumer<List<String>> environmentGate) {
    return runs.run(request, environmentGate);
  }

  /**
   * An ad-hoc pipeline with the stored targets and environments its stages name resolved; the
   * pipeline itself when it names none.
   *
   * @throws CatalogException INVALID naming each target or environment that does not exist
   */
  public Pipeline resolveAdHoc(Pipeline pipeline) {
    return runs.resolveAdHoc(pipeline);
  }

  // ---- internals

  private Change write(Connection c, Kind kind, Object value, String actor, boolean dryRun)
      throws SQLException {
    String name = nameOf(value);
    String json = canonical(value);
    String environment = value instanceof Target t ? t.environment() : null;
    Instant now = clock.instant();
    Optional<CatalogStore.Row> existing = store.find(c, kind, name);
    if (existing.isPresent() && existing.get().definition().equals(json)) {
      return new Change(kind.id(), name, "unchanged", existing.get().version());
    }
    Integer version = null;
    if (kind == Kind.PIPELINE) {
      version = store.lastVersion(c, name) + 1;
      if (!dryRun) {
        store.insertVersion(c, new CatalogStore.Version(name, version, json, sha256(json), now,
            actor));
      }
    }
    if (!dryRun) {
      if (existing.isEmpty()) {
        store.insert(c, new CatalogStore.Row(kind, name, json, environment, version, now, now,
            actor));
      } else {
        store.update(c, new CatalogStore.Row(kind, name, json, environment, version,
            existing.get().createdAt(), now, actor));
      }
    }
    return new Change(kind.id(), name, existing.isEmpty() ? "created" : "updated", version);
  }

  private boolean exists(Connection c, Kind kind, String name) {
    try {
      return name != null && store.find(c, kind, name).isPresent();
    } catch (SQLException e) {
      throw new IllegalStateException("Reading " + kind.plural() + " failed: " + e.getMessage(), e);
    }
  }

  private Set<String> names(Connection c, Kind kind) throws SQLException {
    Set<String> names = new TreeSet<>();
    store.list(c, kind).forEach(row -> names.add(row.name()));
    return names;
  }

  private static String nameOf(Object value) {
    if (value instanceof Environment e) {
      return e.name();
    }
    if (value instanceof Target t) {
      return t.name();
    }
    return ((StoredPipeline) value).name();
  }

  static String canonical(Object value) {
    try {
      return CANONICAL.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  static <T> T parse(String json, Class<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored " + type.getSimpleName() + " cannot be read: "
          + e.getOriginalMessage(), e);
    }
  }

  private static CatalogObject view(CatalogStore.Row row) {
    return new CatalogObject(row.kind().id(), row.name(), row.version(), row.createdAt(),
        row.updatedAt(), row.updatedBy(), tree(row.definition()));
  }

  private static CatalogObject view(CatalogStore.Version v) {
    return new CatalogObject(Kind.PIPELINE.id(), v.name(), v.version(), v.createdAt(),
        v.createdAt(), v.createdBy(), tree(v.definition()));
  }

  private static JsonNode tree(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A stored definition cannot be read", e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
