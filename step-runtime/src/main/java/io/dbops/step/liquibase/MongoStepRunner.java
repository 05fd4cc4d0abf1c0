package io.dbops.step.liquibase;

import io.dbops.step.config.MongoSettings;
import io.dbops.support.Secrets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.exception.DatabaseException;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * Steps against MongoDB ({@code mongodb://} and {@code mongodb+srv://} URLs) through the
 * liquibase-mongodb extension: APPLY, PREVIEW, STATUS, VALIDATE, TAG, ROLLBACK, SYNC and HISTORY
 * with the extension's own lock (a DATABASECHANGELOGLOCK collection) and history (a
 * DATABASECHANGELOG collection). None of the JDBC machinery applies: no pool (one client per step),
 * no session lock, no atomic history, no no-op memo. DRIFT and POLICY compare SQL schemas and SQL
 * statements, so they are refused, as is a rollback PREVIEW (the extension renders no rollback
 * script). The {@link MongoSettings} (validators, adjusting the tracking collections) reach the
 * extension as Liquibase configuration in the step's scope. One per step, on the step's thread.
 */
@SuppressWarnings("deprecation") // the Liquibase facade is deprecated but stable across 4.x
final class MongoStepRunner {
  private static final Set<StepCommand.Kind> UNSUPPORTED = Set.of(StepCommand.Kind.DRIFT, StepCommand.Kind.POLICY);

  private final Clock clock;
  private final Supplier<String> deploymentId;
  private final io.dbops.step.guard.ChangeTypeGuard guard;
  private final MongoSettings settings;
  private final ProcessEnvironment processEnvironment;

  MongoStepRunner(Clock clock, Supplier<String> deploymentId, io.dbops.step.guard.ChangeTypeGuard guard,
      MongoSettings settings, ProcessEnvironment processEnvironment) {
    this.processEnvironment = processEnvironment;
    this.settings = settings;
    this.clock = clock;
    this.deploymentId = deploymentId;
    this.guard = guard;
  }

  static boolean isMongo(String url) {
    return url.startsWith("mongodb://") || url.startsWith("mongodb+srv://");
  }

  StepOutcome run(StepCommand command, String password, Path root, String file, MaskingLog log, StepControl control)
      throws Exception {
    if (UNSUPPORTED.contains(command.kind()) || command.kind() == StepCommand.Kind.PREVIEW && command.rollback()) {
      return StepOutcome.failed((command.kind() == StepCommand.Kind.PREVIEW ? "PREVIEW with rollback" : command.kind())
          + " is not supported for MongoDB targets (" + Secrets.maskUrl(command.jdbcUrl()) + "): it works on SQL"
          + " schemas and statements. APPLY, PREVIEW, STATUS, VALIDATE, TAG, ROLLBACK, SYNC and HISTORY are.",
          Map.of(), List.of());
    }
    // liquibase-mongodb reads its settings (validators, adjusting the tracking collections) when it
    // opens the database and sets up its lock and history collections: all inside this scope.
    return Scope.child(settings.liquibaseScope(), () -> runInScope(command, password, root, file, log, control));
  }

  private StepOutcome runInScope(StepCommand command, String password, Path root, String file, MaskingLog log,
      StepControl control) throws Exception {
    try (DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(root)) {
      Database database;
      try {
        database = DatabaseFactory.getInstance().openDatabase(command.jdbcUrl(),
            command.username().isEmpty() ? null : command.username(),
            password == null || password.isEmpty() ? null : password, null, accessor);
      } catch (DatabaseException | RuntimeException e) {
        return unreachable(command, e);
      }
      try {
        control.attach(Thread.currentThread(), null);
        command.tables().applyTo(database); // collection names, like the tables of a JDBC target
        Liquibase liquibase = new Liquibase(file, accessor, database);
        processEnvironment.addTo(liquibase.getChangeLogParameters());
        ChangeSetTracker tracker = new ChangeSetTracker(log, control);
        liquibase.setChangeExecListener(tracker);
        command.parameters().forEach(liquibase::setChangeLogParameter);
        Map<String, Object> scope = new HashMap<>();
        scope.put(Scope.Attr.ui.name(), new ForwardingUiService(log));
        scope.put(Scope.Attr.logService.name(), new StepLogService(log));
        scope.put(Scope.Attr.resourceAccessor.name(), accessor);
        scope.put(Scope.Attr.database.name(), database);
        scope.put(Scope.Attr.deploymentId.name(), deploymentId.get());
        scope.put(AnalyticsArgs.ENABLED.getKey(), Boolean.FALSE);
        scope.put("liquibase.command.showSummaryOutput", UpdateSummaryOutputEnum.LOG);
        return Scope.child(scope, () -> {
          String refusal = LiquibaseStepRunner.changeTypeRefusal(guard, command, liquibase);
          if (refusal != null) { // before any of the changelog runs
            return StepOutcome.failed(refusal, java.util.Map.of(), java.util.List.of());
          }
          return new KindRunner(KindParts.builder().liquibase(liquibase).command(command).log(log).tracker(tracker)
              .clock(clock).searchRoot(root).build()).run();
        });
      } catch (Exception e) {
        // The driver connects lazily: an unreachable server or bad credentials surface at first use.
        if (Failures.find(e, com.mongodb.MongoTimeoutException.class) != null
            || Failures.find(e, com.mongodb.MongoSecurityException.class) != null
            || Failures.find(e, com.mongodb.MongoSocketException.class) != null) {
          return unreachable(command, e);
        }
        throw e;
      } finally {
        try {
          database.close();
        } catch (DatabaseException | RuntimeException e) {
          // Closing the client cannot change the step's outcome.
        }
      }
    }
  }

  private static StepOutcome unreachable(StepCommand command, Exception e) {
    return StepOutcome.failed("Cannot connect to MongoDB at " + Secrets.maskUrl(command.jdbcUrl()) + " as "
        + (command.username().isEmpty() ? "no user" : "user " + command.username()) + ": " + Failures.describe(e)
        + ". Check the URL, that the server is reachable from the step container, and the credentials.",
        Map.of(), List.of());
  }
}
