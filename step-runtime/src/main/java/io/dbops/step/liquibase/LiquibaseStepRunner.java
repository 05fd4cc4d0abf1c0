package io.dbops.step.liquibase;

import io.dbops.step.config.CommitDurability;
import io.dbops.step.config.MongoSettings;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.datasource.ConnectFailure;
import io.dbops.step.datasource.PoolCache;
import io.dbops.step.guard.ChangeTypeGuard;
import io.dbops.support.Secrets;
import java.io.IOException;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.database.Database;
import liquibase.database.core.PostgresDatabase;
import liquibase.exception.ChangeLogParseException;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.DirectoryResourceAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link StepCommand} with Liquibase on the calling thread and returns its outcome.
 * Never throws for step failures (bad changelog, unreachable database, SQL errors): those are
 * FAILED outcomes with a masked, actionable error, also sent to the step log as an ERROR line.
 *
 * <p>Liquibase keeps process-wide caches keyed by database (lock and history services) and this
 * class resets them after each step, so callers must run one step at a time. Does not own the
 * {@link PoolCache}.
 */
@SuppressWarnings("deprecation") // the Liquibase facade is deprecated but stable across 4.x
public final class LiquibaseStepRunner {
  private static final Logger logger = LoggerFactory.getLogger(LiquibaseStepRunner.class);

  private final PoolCache pools;
  private final Map<String, String> environment;
  private final Clock clock;
  private final Duration lockTimeout;
  private final CommitDurability durability;
  private final String owner;
  private final ChangeTypeGuard guard;
  private final MongoSettings mongo;
  private final ProcessEnvironment processEnvironment;
  private final ChangelogCache changelogs;
  private final UpToDateMemo upToDate = new UpToDateMemo(16);
  private final java.util.concurrent.atomic.AtomicLong lastDeployment = new java.util.concurrent.atomic.AtomicLong();

  /**
   * With the default lock timeout (60 s).
   *
   * @param environment where {@code password_env} names are looked up (System.getenv() in
   *     production, or a warm pod's binding); Liquibase sees it as the process environment
   *     ({@code LIQUIBASE_*} settings, {@code ${NAME}} changelog parameters)
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock) {
    this(pools, environment, clock, StepRuntimeConfig.DEFAULT_LOCK_TIMEOUT);
  }

  /**
   * @param lockTimeout longest wait for the database's change lock ({@code
   *     DBOPS_STEP_LOCK_TIMEOUT_SECONDS})
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock, Duration lockTimeout) {
    this(pools, environment, clock, lockTimeout, CommitDurability.STEP);
  }

  /**
   * @param lockTimeout longest wait for the database's change lock ({@code
   *     DBOPS_STEP_LOCK_TIMEOUT_SECONDS})
   * @param durability when a PostgreSQL apply waits for durable commits ({@code DBOPS_STEP_DURABILITY})
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock, Duration lockTimeout,
      CommitDurability durability) {
    this(pools, environment, clock, lockTimeout, durability, ChangeTypeGuard.denyAll());
  }

  /**
   * @param lockTimeout longest wait for the database's change lock ({@code
   *     DBOPS_STEP_LOCK_TIMEOUT_SECONDS})
   * @param durability when a PostgreSQL apply waits for durable commits ({@code DBOPS_STEP_DURABILITY})
   * @param guard what changelogs may do beyond the database ({@code DBOPS_STEP_ALLOW_CHANGE_TYPES})
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock, Duration lockTimeout,
      CommitDurability durability, ChangeTypeGuard guard) {
    this(pools, environment, clock, lockTimeout, durability, guard, MongoSettings.defaults());
  }

  /**
   * With every setting from the step runtime's configuration.
   *
   * @param environment where {@code password_env} names are looked up (System.getenv() in
   *     production)
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock, StepRuntimeConfig config) {
    this(pools, environment, clock, config.lockTimeout(), config.durability(),
        new ChangeTypeGuard(config.allowedChangeTypes()), config.mongo());
  }

  private LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock, Duration lockTimeout,
      CommitDurability durability, ChangeTypeGuard guard, MongoSettings mongo) {
    this.guard = guard;
    this.mongo = mongo;
    this.pools = pools;
    this.durability = durability;
    this.environment = Map.copyOf(environment);
    this.clock = clock;
    this.lockTimeout = lockTimeout;
    this.owner = "dbops step runtime pid " + ProcessHandle.current().pid() + " on " + hostName();
    // Liquibase reads the process environment; a warm pod's binding is laid over it (ProcessEnvironment).
    this.processEnvironment = ProcessEnvironment.of(environment);
    this.changelogs = new ChangelogCache(16, processEnvironment);
    FastConfigProviders.install(processEnvironment.variables());
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown host";
    }
  }

  public StepOutcome run(StepCommand command, StepLog sink, StepControl control) {
    long started = System.nanoTime();
    String password = command.passwordEnv().isEmpty() ? "" : environment.get(command.passwordEnv());
    MaskingLog log = new MaskingLog(sink, password);
    StepOutcome outcome;
    try {
      outcome = runChecked(command, password, log, control);
    } catch (StepFailure e) {
      outcome = StepOutcome.failed(e.getMessage(), Map.of(), List.of());
    } catch (ConnectFailure e) {
      logger.debug("Step {}: connection failed", command.stepId(), e);
      outcome = StepOutcome.failed(e.getMessage(), Map.of(), List.of());
    } catch (Exception e) {
      logger.debug("Step {} failed", command.stepId(), e);
      String message = Failures.find(e, ChangeLogParseException.class) != null
          ? "Cannot parse changelog " + command.changelog() + ": " + Failures.describe(e)
          : "Step " + command.kind() + " failed: " + Failures.describe(e);
      outcome = StepOutcome.failed(message, Map.of(), List.of());
    } finally {
      control.detach();
      // Liquibase caches lock and history services per database object, process-wide.
      LockServiceFactory.getInstance().resetAll();
      Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).resetAll();
      Thread.interrupted(); // clear an interrupt from Stop so the pooled thread starts clean
    }
    if (control.isStopped() && outcome.status() != StepOutcome.Status.SUCCEEDED) {
      outcome = new StepOutcome(StepOutcome.Status.ABORTED,
          "Step stopped (" + control.reason() + "); changesets applied before the stop stay applied.",
          outcome.outputs(), outcome.changesets(), 0);
    }
    if (outcome.status() != StepOutcome.Status.SUCCEEDED) {
      outcome = new StepOutcome(outcome.status(), log.mask(outcome.error()), outcome.outputs(),
          outcome.changesets(), 0);
      log.error(outcome.error());
    }
    return outcome.withDuration((System.nanoTime() - started) / 1_000_000);
  }

  /** The step's phases: check its inputs, locate the changelog, then run it on MongoDB or through JDBC. */
  private StepOutcome runChecked(StepCommand command, String password, MaskingLog log, StepControl control)
      throws Exception {
    requirePassword(command, password);
    ChangelogLocation location = ChangelogLocation.of(command);
    log.info("Step " + command.stepId() + ": " + command.kind() + (location.file().isEmpty() ? "" : " " + location.file())
        + " on " + Secrets.maskUrl(command.jdbcUrl()));
    control.checkNotStopped();
    if (MongoStepRunner.isMongo(command.jdbcUrl())) {
      return new MongoStepRunner(clock, this::nextDeploymentId, guard, mongo, processEnvironment).run(command, password, location.root(),
          location.file(), log, control);
    }
    try (Connection connection = pools.borrow(command.jdbcUrl(), command.username(), password);
        DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(location.root())) {
      control.attach(Thread.currentThread(), connection);
      return runOnSession(command, password, location, log, control, connection, accessor);
    }
  }

  private static void requirePassword(StepCommand command, String password) throws StepFailure {
    if (!command.passwordEnv().isEmpty() && password == null) {
      throw new StepFailure("Environment variable " + command.passwordEnv()
          + " (database.password_env) is not set in the step container; set it from the database secret.");
    }
  }

  /**
   * Runs the step on its one connection: Liquibase's statements, its history rows and the change
   * lock all live on this session. Opens the Liquibase database and lock, runs the kind in the
   * step's scope, then confirms durability, releases the lock and closes the database.
   */
  private StepOutcome runOnSession(StepCommand command, String password, ChangelogLocation location, MaskingLog log,
      StepControl control, Connection connection, DirectoryResourceAccessor accessor) throws Exception {
    TransactionGate gate = new TransactionGate(connection);
    // On PostgreSQL, a Liquibase database that skips a redundant search-path query per changeset.
    SearchPathWatch searchPath = new SearchPathWatch();
    Database database = StepPostgresDatabase.open(gate, searchPath);
    useTables(command.tables(), database);
    gate.setDeferring(database.supportsDDLInTransaction());
    gate.setAsynchronousCommits(database instanceof PostgresDatabase && durability == CommitDurability.STEP);
    StepLock lock = lockFor(command, password, database, connection, log);
    try {
      StatementRecorder recorder = new StatementRecorder();
      ChangeSetTracker tracker = new ChangeSetTracker(log, control, gate, recorder, searchPath);
      Liquibase liquibase = openLiquibase(command, location, database, accessor);
      liquibase.setChangeExecListener(tracker);
      command.parameters().forEach(liquibase::setChangeLogParameter);
      KindParts parts = KindParts.builder().liquibase(liquibase).command(command).log(log).tracker(tracker)
          .clock(clock).lock(lock).gate(gate).transactionalDdl(database instanceof PostgresDatabase)
          .live(connection).searchRoot(location.root())
          .scratch(url -> pools.connectDirect(url, command.username(), password))
          .memo(command.kind() == StepCommand.Kind.APPLY ? upToDate : null)
          .build();
      Scope.ScopedRunnerWithReturn<StepOutcome> body = () -> {
        String refusal = changeTypeRefusal(guard, command, liquibase);
        if (refusal != null) { // before the lock and before any of the changelog's SQL
          return StepOutcome.failed(refusal, Map.of(), List.of());
        }
        return new KindRunner(parts).run();
      };
      Map<String, Object> scope = scopeFor(log, accessor, database, gate, lock);
      return durable(gate, Scope.child(recorder, scope, () -> Scope.child(searchPath, Map.of(), body)));
    } finally {
      cleanUp(command, control, connection, gate, database, lock);
    }
  }

  /**
   * The target's table and schema names, before anything reads or writes the history; with a
   * default schema, the session's schema is set as Liquibase's own CLI does.
   */
  private static void useTables(LiquibaseTables tables, Database database) throws Exception {
    tables.applyTo(database);
    if (!tables.defaultSchemaName().isEmpty()) {
      liquibase.database.core.DatabaseUtils.initializeDatabase(null, tables.defaultSchemaName(), database);
      database.commit();
    }
  }

  /** The step's session lock on PostgreSQL and MySQL/MariaDB; null where Liquibase's own lock applies. */
  private StepLock lockFor(StepCommand command, String password, Database database, Connection connection,
      MaskingLog log) {
    StepLock.Dialect dialect = LockDialects.forDatabase(database, command.jdbcUrl(),
        () -> pools.connectDirect(command.jdbcUrl(), command.username(), password));
    return dialect == null ? null
        : new StepLock(database, connection, dialect, lockTimeout, describe(database, command.jdbcUrl()), owner, log);
  }

  /**
   * APPLY parses through the cache for its "anything pending?" check: a warm no-op apply does not
   * parse at all. Liquibase's update still parses afresh when there is work.
   */
  private Liquibase openLiquibase(StepCommand command, ChangelogLocation location, Database database,
      DirectoryResourceAccessor accessor) throws Exception {
    Liquibase liquibase = command.kind() == StepCommand.Kind.APPLY
        ? new Liquibase(changelogs.get(location.root(), location.file(), database, command.parameters(),
            command.contexts(), command.labels(), accessor), accessor, database)
        : new Liquibase(location.file(), accessor, database);
    processEnvironment.addTo(liquibase.getChangeLogParameters());
    return liquibase;
  }

  /**
   * Forgets the parsed changelogs and the up-to-date memo (keyed by JDBC URL and user, which may
   * hold a secret): a released warm binding keeps nothing of its steps. Steps run after this
   * start cold, as the first step of a process does.
   */
  public void forgetCaches() {
    changelogs.clear();
    upToDate.clear();
  }

  /** The step's Liquibase scope: its log, resources, database, deployment id, connection and lock. */
  private Map<String, Object> scopeFor(MaskingLog log, DirectoryResourceAccessor accessor, Database database,
      TransactionGate gate, StepLock lock) {
    Map<String, Object> scope = new HashMap<>();
    scope.put(Scope.Attr.ui.name(), new ForwardingUiService(log));
    scope.put(Scope.Attr.logService.name(), new StepLogService(log));
    scope.put(Scope.Attr.resourceAccessor.name(), accessor);
    scope.put(Scope.Attr.database.name(), database);
    // Liquibase generates its deployment id once per JVM (root scope); a step is one deployment.
    scope.put(Scope.Attr.deploymentId.name(), nextDeploymentId());
    scope.put(TransactionGate.SCOPE_KEY, gate);
    if (lock != null) {
      scope.put(StepLock.SCOPE_KEY, lock);
    }
    // No phoning home from a customer's network.
    scope.put(AnalyticsArgs.ENABLED.getKey(), Boolean.FALSE);
    // The update summary goes to Liquibase's log (forwarded to the step log), not to stdout.
    scope.put("liquibase.command.showSummaryOutput", UpdateSummaryOutputEnum.LOG);
    return scope;
  }

  /**
   * After the step, whatever happened: what it committed is made durable, the lock released and the
   * database closed; a session that may still hold the lock is discarded, not pooled.
   */
  private void cleanUp(StepCommand command, StepControl control, Connection connection, TransactionGate gate,
      Database database, StepLock lock) {
    if (gate.awaitsDurability() && !control.isStopped()) {
      try { // the step failed with an exception; what it committed before must still be durable
        gate.confirmDurable();
      } catch (Exception e) {
        logger.warn("Step {}: could not confirm that its commits are durable: {}", command.stepId(),
            Failures.describe(e));
      }
    }
    boolean lockReleased = true;
    if (lock != null && !control.isStopped()) {
      try {
        lock.releaseAll();
      } catch (Exception e) {
        lockReleased = false;
        logger.warn("Step {}: {}; discarding its connection", command.stepId(), e.getMessage());
      }
    }
    try {
      if (!control.isStopped()) { // an aborted connection cannot restore its auto-commit
        database.close();
      }
    } catch (Exception e) {
      logger.debug("Closing the Liquibase database of step {} failed", command.stepId(), e);
    }
    if (!lockReleased || command.tables().setsSchema()) {
      // A session still holding the lock, or whose schema (search_path) Liquibase set for this
      // target, must not go back to the pool.
      pools.evict(command.jdbcUrl(), command.username(), connection);
    }
  }

  /** The step kinds that run, preview or generate the SQL of a changelog's changes. */
  private static final Set<StepCommand.Kind> GUARDED_KINDS = Set.of(StepCommand.Kind.APPLY, StepCommand.Kind.PREVIEW,
      StepCommand.Kind.ROLLBACK, StepCommand.Kind.DRIFT, StepCommand.Kind.POLICY, StepCommand.Kind.VALIDATE);

  /** Why the changelog may not run here ({@link ChangeTypeGuard}); null when it may or the kind runs none of it. */
  static String changeTypeRefusal(ChangeTypeGuard guard, StepCommand command, Liquibase liquibase) throws Exception {
    if (!GUARDED_KINDS.contains(command.kind())) {
      return null;
    }
    // Parse as the kinds do: changelog properties may depend on contexts and labels.
    liquibase.getChangeLogParameters().setContexts(new Contexts(command.contexts()));
    liquibase.getChangeLogParameters().setLabels(new LabelExpression(command.labels()));
    // APPLY's changelog is the cached parse (ChangelogCache): the same object while nothing changed.
    return guard.check(liquibase.getDatabaseChangeLog(), liquibase.getDatabase(),
        command.kind() == StepCommand.Kind.APPLY && !MongoStepRunner.isMongo(command.jdbcUrl()));
  }

  /**
   * The outcome, once everything the step committed asynchronously is durable (see {@link
   * TransactionGate#confirmDurable()}); a failure to confirm fails the step.
   */
  private static StepOutcome durable(TransactionGate gate, StepOutcome outcome) {
    try {
      gate.confirmDurable();
      return outcome;
    } catch (liquibase.exception.DatabaseException e) {
      String problem = "PostgreSQL could not confirm that the changesets this step committed are durable ("
          + Failures.describe(e) + "); run status to see what the database kept.";
      String error = outcome.status() == StepOutcome.Status.SUCCEEDED ? problem : outcome.error() + " " + problem;
      return StepOutcome.failed(error, outcome.outputs(), outcome.changesets());
    }
  }

  /**
   * A DEPLOYMENT_ID for one step, in Liquibase's format (the last 10 digits of the epoch millis),
   * strictly increasing within this runner so two steps in one millisecond still differ.
   */
  private String nextDeploymentId() {
    long id = lastDeployment.updateAndGet(last -> Math.max(last + 1, clock.millis()));
    String digits = Long.toString(id);
    return digits.length() > 10 ? digits.substring(digits.length() - 10) : digits;
  }

  /** "PostgreSQL database 'orders' at db:5432", for lock messages. */
  static String describe(Database database, String jdbcUrl) {
    String product;
    String name = null;
    try {
      product = database.getDatabaseProductName();
      name = database.getConnection().getCatalog();
    } catch (Exception e) {
      product = database.getShortName();
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("//([^/?;]+)").matcher(jdbcUrl);
    String where = m.find() ? " at " + m.group(1) : "";
    return product + " database" + (name == null || name.isEmpty() ? "" : " '" + name + "'") + where;
  }

  /** A failure whose message is already the actionable sentence. */
  static final class StepFailure extends IOException {
    StepFailure(String message) {
      super(message);
    }
  }
}
