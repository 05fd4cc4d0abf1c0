package io.dbops.controlplane.state;

import io.dbops.controlplane.catalog.Environment;
import io.dbops.controlplane.catalog.StoredPipeline;
import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.support.NamedThreadFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes migration state (docs/fleet-state.md "Refresh"): submits a read-only execution with one
 * stage per target, each running a {@code history} step and, for every stored pipeline with a stage
 * on that target whose first apply names a fixed changelog (no inputs, no clone step), a
 * {@code status} step named after that pipeline. The control plane never connects to a target:
 * a delegate runs it. Also refreshes each environment with {@code refreshMinutes} on its own
 * thread {@code cp-state-refresh-1}, skipping an environment whose previous refresh still runs.
 * Thread-safe; {@link #start}/{@link #close}.
 */
public final class StateRefresher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateRefresher.class);
  /** The origin source of refresh executions. */
  public static final String SOURCE = "refresh";
  static final String HISTORY_STEP = "read-history";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

  /** Submits a pipeline naming stored targets; returns the execution id. */
  @FunctionalInterface
  interface Submitter {
    String submit(Pipeline pipeline, ExecutionOrigin origin);
  }

  private final Fleet fleet;
  private final Supplier<List<Environment>> environments;
  private final Supplier<List<StoredPipeline>> pipelines;
  private final UnaryOperator<Pipeline> resolve;
  private final Submitter submitter;
  private final Predicate<String> finished;
  private final Clock clock;
  private final long tickMillis;
  private final int maxStages;
  private final Map<String, Long> lastStarted = new ConcurrentHashMap<>();
  private final Map<String, List<String>> running = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ScheduledExecutorService scheduler;

  /**
   * @param resolve the catalog's resolution of stored targets (throws a refusal for bad ones)
   * @param finished whether an execution finished
   * @param tickMillis how often the schedule is checked
   * @param maxStages the stages a pipeline may have ({@code DBOPS_MAX_STAGES}): an environment with
   *     more targets is refreshed by several executions of at most this many stages
   */
  StateRefresher(Fleet fleet, Supplier<List<Environment>> environments,
      Supplier<List<StoredPipeline>> pipelines, UnaryOperator<Pipeline> resolve, Submitter submitter,
      Predicate<String> finished, Clock clock, long tickMillis, int maxStages) {
    this.maxStages = Math.max(1, maxStages);
    this.fleet = fleet;
    this.environments = environments;
    this.pipelines = pipelines;
    this.resolve = resolve;
    this.submitter = submitter;
    this.finished = finished;
    this.clock = clock;
    this.tickMillis = tickMillis;
  }

  public void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("cp-state-refresh", true));
    scheduler.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Refreshes one target.
   *
   * @throws io.dbops.controlplane.Refusal 404 for an unknown target
   */
  public String refreshTarget(String target, String by, String tokenName) {
    if (fleet.targetEnvironment(target).isEmpty()) {
      throw StateService.unknownTarget(target);
    }
    return submit("refresh-target", List.of(target), by, tokenName);
  }

  /**
   * Refreshes every target of an environment: one execution per {@code maxStages} targets, in
   * target name order; returns their ids.
   *
   * @throws io.dbops.controlplane.Refusal 404 for an unknown environment, 409 when it has no target
   */
  public List<String> refreshEnvironment(String environment, String by, String tokenName) {
    if (!fleet.environmentExists(environment)) {
      throw io.dbops.controlplane.Refusal.notFound("No environment '" + environment
          + "'; list them with `dbops get environments` (GET /api/v1/environments)");
    }
    List<String> targets = fleet.targetsIn(environment);
    if (targets.isEmpty()) {
      throw new io.dbops.controlplane.Refusal(io.dbops.controlplane.Refusal.Kind.CONFLICT, "conflict",
          "Environment '" + environment + "' has no targets to refresh; add one with `dbops apply`", List.of());
    }
    String name = "refresh-" + (NAME.matcher("refresh-" + environment).matches() ? environment : "environment");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < targets.size(); i += maxStages) {
      ids.add(submit(name, targets.subList(i, Math.min(targets.size(), i + maxStages)), by, tokenName));
    }
    running.put(environment, List.copyOf(ids));
    lastStarted.put(environment, clock.millis());
    return ids;
  }

  private String submit(String name, List<String> targets, String by, String tokenName) {
    Pipeline pipeline = resolve.apply(pipeline(name, targets, pipelines.get()));
    return submitter.submit(pipeline, new ExecutionOrigin(by, tokenName, SOURCE, name, null, Map.of()));
  }

  /** The refresh pipeline of {@code targets} (package-private for tests). */
  static Pipeline pipeline(String name, List<String> targets, List<StoredPipeline> stored) {
    List<Stage> stages = new ArrayList<>();
    Set<String> stageNames = new HashSet<>();
    for (int i = 0; i < targets.size(); i++) {
      String target = targets.get(i);
      List<Step> steps = new ArrayList<>();
      steps.add(new Step(HISTORY_STEP, "history", null, null, null, null, null, null, null, null));
      for (StoredPipeline p : stored) {
        Step status = statusStep(p, target);
        if (status != null && steps.stream().noneMatch(s -> s.name().equals(status.name()))) {
          steps.add(status);
        }
      }
      stages.add(new Stage(stageName(target, i, stageNames), null, steps, List.of(), 0, null, target,
          null, null, null));
    }
    return new Pipeline(name, stages);
  }

  /**
   * A status step for pipeline {@code p}'s first apply on {@code target}: same changelog, search
   * path, contexts, labels and parameters; null when there is none or it depends on inputs or a
   * clone (then only a run of that pipeline knows its changelog).
   */
  static Step statusStep(StoredPipeline p, String target) {
    if (!NAME.matcher(p.name()).matches() || HISTORY_STEP.equals(p.name())) {
      return null;
    }
    for (Stage stage : p.stages()) {
      if (stage == null || !target.equals(stage.target())) {
        continue;
      }
      if (stage.steps().stream().anyMatch(s -> "clone".equals(s.type()))) {
        return null;
      }
      for (Step s : stage.steps()) {
        if ("apply".equals(s.type())) {
          String text = s.changelog() + "|" + s.searchPath() + "|" + s.contexts() + "|" + s.labels()
              + "|" + s.parameters();
          return text.contains("${") ? null : new Step(p.name(), "status", s.changelog(), s.searchPath(),
              s.contexts(), s.labels(), null, null, s.parameters(), null);
        }
      }
    }
    return null;
  }

  private static String stageName(String target, int index, Set<String> used) {
    String base = target.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    String name = base.isEmpty() || base.length() > 40 ? null : base;
    if (name == null || !NAME.matcher(name).matches() || !used.add(name)) {
      String prefix = "t" + (index + 1) + "-";
      String cut = base.length() > 40 - prefix.length() ? base.substring(0, 40 - prefix.length()) : base;
      name = (prefix + cut).replaceAll("-+$", "");
      used.add(name);
    }
    return name;
  }

  /** One check of the schedule (on the scheduler thread; package-private for tests). */
  void tick() {
    try {
      long now = clock.millis();
      for (Environment env : environments.get()) {
        Integer minutes = env.refreshMinutes();
        if (minutes == null || minutes <= 0 || fleet.targetsIn(env.name()).isEmpty()) {
          continue;
        }
        List<String> previous = running.getOrDefault(env.name(), List.of());
        if (!previous.stream().allMatch(finished)) {
          continue; // the last refresh still runs
        }
        Long last = lastStarted.get(env.name());
        if (last != null && now - last < minutes * 60_000L) {
          continue;
        }
        List<String> ids = refreshEnvironment(env.name(), "dbops", null);
        log.info("Scheduled refresh of environment {} (every {} min): execution(s) {}", env.name(), minutes, ids);
      }
    } catch (RuntimeException e) {
      log.error("Scheduled migration state refresh failed", e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || scheduler == null) {
      return;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
