package io.dbops.step.liquibase;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import liquibase.database.Database;
import liquibase.database.DatabaseConnection;
import liquibase.database.DatabaseFactory;
import liquibase.database.core.PostgresDatabase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.DatabaseException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * Liquibase's PostgreSQL database for one dbops step, saving a round trip per changeset.
 *
 * <p>Liquibase 4.33 rolls back before every changeset's statements ({@code ChangeSet.execute}),
 * and {@code PostgresDatabase.rollback()} then re-reads the search path ({@code SHOW SEARCH_PATH},
 * {@code DatabaseUtils.initializeDatabase}) in case the rollback undid Liquibase's own {@code SET
 * SEARCH_PATH}, and sets it again if it is not the default schema first. Between changesets no
 * transaction is open (the previous one committed), so that rollback undoes nothing; this class
 * skips the re-read then, unless {@link SearchPathWatch} saw SQL since the last check that may
 * have changed the search path (a changeset's own {@code SET search_path}, {@code set_config},
 * {@code RESET ALL}, {@code DISCARD}) or a custom change ran: in those cases, and whenever a
 * transaction was open, it behaves exactly like PostgresDatabase.
 *
 * <p>Not registered with Liquibase's service loader: only {@link #open} creates it, for a dbops
 * step, so plain Liquibase in the same JVM is unaffected. Liquibase may create further instances
 * reflectively (public no-argument constructor); those have no watch and behave like
 * PostgresDatabase. Used on the step's thread only.
 */
public final class StepPostgresDatabase extends PostgresDatabase {
  private final SearchPathWatch watch;

  /** For Liquibase's reflective copies: behaves exactly like PostgresDatabase. */
  public StepPostgresDatabase() {
    this(null);
  }

  private StepPostgresDatabase(SearchPathWatch watch) {
    this.watch = watch;
  }

  /**
   * The Liquibase database for the step's connection: this class when Liquibase would pick plain
   * PostgresDatabase (and nothing else) for it, otherwise whatever Liquibase picks.
   */
  static Database open(DatabaseConnection connection, SearchPathWatch watch) throws DatabaseException {
    DatabaseFactory factory = DatabaseFactory.getInstance();
    List<Database> matches = new java.util.ArrayList<>();
    for (Database candidate : factory.getImplementedDatabases()) {
      if (candidate.isCorrectDatabaseImplementation(connection)) {
        matches.add(candidate);
      }
    }
    if (matches.size() == 1 && matches.get(0).getClass() == PostgresDatabase.class) {
      StepPostgresDatabase database = new StepPostgresDatabase(watch);
      database.setConnection(connection);
      return database;
    }
    return factory.findCorrectDatabaseImplementation(connection);
  }

  @Override
  public void rollback() throws DatabaseException {
    if (watch != null && !watch.mayHaveChanged() && idle()) {
      // Nothing to undo, and nothing seen that could have moved the search path since the last
      // check: the session is as Liquibase left it. Still tell the connection (the gate forgets
      // held-back work; the driver sends nothing when idle).
      getConnection().rollback();
      return;
    }
    super.rollback();
    if (watch != null) {
      watch.checked();
    }
  }

  /** True when the session has no open transaction (so a rollback changes nothing). */
  private boolean idle() {
    if (!(getConnection() instanceof JdbcConnection jdbc)) {
      return false;
    }
    try {
      Connection connection = jdbc.getUnderlyingConnection();
      return connection.isWrapperFor(BaseConnection.class)
          && connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE;
    } catch (SQLException | RuntimeException e) {
      return false; // unknown: let Liquibase check
    }
  }
}
