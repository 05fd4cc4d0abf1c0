package io.dbops.step.liquibase;

import io.dbops.step.datasource.ConnectFailure;
import io.dbops.step.datasource.PoolCache;
import io.dbops.support.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
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

  /**
   * @param environment where {@code password_env} names are looked up (System.getenv() in
   *     production)
   */
  public LiquibaseStepRunner(PoolCache pools, Map<String, String> environment, Clock clock) {
    this.pools = pools;
    this.environment = Map.copyOf(environment);
    this.clock = clock;
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

  private StepOutcome runChecked(StepCommand command, String password, MaskingLog log, StepControl control)
      throws Exception {
    if (!command.passwordEnv().isEmpty() && password == null) {
      throw new StepFailure("Environment variable " + command.passwordEnv()
          + " (database.password_env) is not set in the step container; set it from the database secret.");
    }
    Location location = locate(command);
    log.info("Step " + command.stepId() + ": " + command.kind() + " " + location.file() + " on "
        + Secrets.maskUrl(command.jdbcUrl()));
    control.checkNotStopped();
    try (Connection connection = pools.borrow(command.jdbcUrl(), command.username(), password);
        DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(location.root())) {
      control.attach(Thread.currentThread(), connection);
      Database database = DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new JdbcConnection(connection));
      try {
        ChangeSetTracker tracker = new ChangeSetTracker(log, control);
        Liquibase liquibase = new Liquibase(location.file(), accessor, database);
        liquibase.setChangeExecListener(tracker);
        command.parameters().forEach(liquibase::setChangeLogParameter);
        Map<String, Object> scope = new HashMap<>();
        scope.put(Scope.Attr.ui.name(), new ForwardingUiService(log));
        scope.put(Scope.Attr.logService.name(), new StepLogService(log));
        scope.put(Scope.Attr.resourceAccessor.name(), accessor);
        scope.put(Scope.Attr.database.name(), database);
        // No phoning home from a customer's network.
        scope.put(AnalyticsArgs.ENABLED.getKey(), Boolean.FALSE);
        // The update summary goes to Liquibase's log (forwarded to the step log), not to stdout.
        scope.put("liquibase.command.showSummaryOutput", UpdateSummaryOutputEnum.LOG);
        Scope.ScopedRunnerWithReturn<StepOutcome> body =
            () -> new KindRunner(liquibase, command, log, tracker, clock).run();
        return Scope.child((liquibase.listener.LiquibaseListener) null, scope, body);
      } finally {
        try {
          if (!control.isStopped()) { // an aborted connection cannot restore its auto-commit
            database.close();
          }
        } catch (Exception e) {
          logger.debug("Closing the Liquibase database of step {} failed", command.stepId(), e);
        }
      }
    }
  }

  /** Directory Liquibase resolves against, and the changelog path relative to it. */
  private record Location(Path root, String file) {}

  private static Location locate(StepCommand command) throws StepFailure {
    try {
      Path root;
      Path relative;
      if (command.searchPath().isEmpty()) {
        Path changelog = Path.of(command.changelog()).toAbsolutePath().normalize();
        root = changelog.getParent();
        relative = changelog.getFileName();
      } else {
        root = Path.of(command.searchPath()).toAbsolutePath().normalize();
        relative = Path.of(command.changelog()).normalize();
        if (relative.isAbsolute()) {
          relative = root.relativize(relative);
        }
      }
      if (root == null || !Files.isDirectory(root)) {
        throw new StepFailure("Changelog search path " + root + " is not a directory. Check search_path"
            + " and that the changelog was checked out into the workspace.");
      }
      Path file = root.resolve(relative);
      if (!Files.isRegularFile(file)) {
        throw new StepFailure("Changelog file " + file + " does not exist (changelog '" + command.changelog()
            + "', search path " + root + "). Check the changelog path.");
      }
      return new Location(root, relative.toString().replace('\\', '/'));
    } catch (InvalidPathException e) {
      throw new StepFailure("Changelog path '" + command.changelog() + "' is not a valid path: " + e.getMessage());
    }
  }

  /** A failure whose message is already the actionable sentence. */
  private static final class StepFailure extends IOException {
    StepFailure(String message) {
      super(message);
    }
  }
}
