package io.dbops.step.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.step.datasource.PoolCache;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import liquibase.Scope;
import liquibase.listener.SqlListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StepPostgresDatabase}: Liquibase's per-changeset search-path query is skipped when it
 * cannot find anything, and still made (with Liquibase's effect) when a changeset may have moved
 * the search path. PostgreSQL only.
 */
class SearchPathIT {
  @TempDir Path tmp;
  private TestDatabase db;
  private PoolCache pools;

  @BeforeEach
  void start() {
    db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
    pools = new PoolCache(2, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    pools.close();
    db.close();
  }

  /** Every query and statement Liquibase sends, seen from a scope around the step. */
  private static final class AllSql extends SqlListener {
    final List<String> sql = new ArrayList<>();

    @Override
    public void readSqlWillRun(String text) {
      sql.add(text);
    }

    @Override
    public void writeSqlWillRun(String text) {
      sql.add(text);
    }
  }

  private StepOutcome apply(Path changelog, AllSql listener) throws Exception {
    LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC());
    StepCommand command = new StepCommand("search-path", StepCommand.Kind.APPLY, changelog.toString(), "",
        db.jdbcUrl(), db.username(), "", "", "", "", 0, Map.of(), "");
    return Scope.child(listener, Map.of(), () -> runner.run(command, (level, text) -> {}, new StepControl()));
  }

  private Path changelog(String... statements) throws Exception {
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n\n");
    for (int i = 0; i < statements.length; i++) {
      sb.append("--changeset sp:").append(i + 1).append('\n').append(statements[i]).append(";\n\n");
    }
    return Files.writeString(tmp.resolve("changelog.sql"), sb);
  }

  private String schemaOf(String table) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_schema FROM information_schema.tables WHERE table_name = '"
            + table + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void plainChangesetsLandInTheDefaultSchema() throws Exception {
    String[] statements = new String[20];
    for (int i = 0; i < statements.length; i++) {
      statements[i] = "CREATE TABLE plain_" + i + " (id INT)";
    }
    AllSql sql = new AllSql();

    StepOutcome outcome = apply(changelog(statements), sql);

    assertThat(outcome.status()).as(outcome.error()).isEqualTo(StepOutcome.Status.SUCCEEDED);
    assertThat(outcome.outputs()).containsEntry("changesetsApplied", "20");
    assertThat(schemaOf("plain_0")).isEqualTo("public");
    assertThat(schemaOf("plain_19")).isEqualTo("public");
  }

  @Test
  void changesetThatMovesTheSearchPathIsFollowedByLiquibasesCheck() throws Exception {
    AllSql sql = new AllSql();

    StepOutcome outcome = apply(changelog(
        "CREATE TABLE before_move (id INT)",
        "CREATE SCHEMA elsewhere",
        "SET search_path TO elsewhere",
        "CREATE TABLE after_move (id INT)"), sql);

    assertThat(outcome.status()).as(outcome.error()).isEqualTo(StepOutcome.Status.SUCCEEDED);
    // As with plain Liquibase: before the next changeset it sees the search path no longer starts
    // with the default schema and puts public first again.
    assertThat(sql.sql).anySatisfy(s -> assertThat(s).contains("SET search_path TO elsewhere"));
    assertThat(schemaOf("before_move")).isEqualTo("public");
    assertThat(schemaOf("after_move")).isEqualTo("public");
  }

  @Test
  void reReadsTheSearchPathOnlyWhenTheRollbackOrSeenSqlCouldHaveMovedIt() throws Exception {
    List<String> sent = new ArrayList<>();
    try (Connection raw = db.connect()) {
      raw.setAutoCommit(false);
      TransactionGate gate = new TransactionGate(counting(raw, sent));
      SearchPathWatch watch = new SearchPathWatch();
      liquibase.database.Database database = StepPostgresDatabase.open(gate, watch);
      assertThat(database).isInstanceOf(StepPostgresDatabase.class);
      Scope.child(watch, Map.of(), () -> {
        database.commit();
        sent.clear();

        database.rollback(); // first time: unknown, so Liquibase checks
        database.commit();
        assertThat(searchPathQueries(sent)).isEqualTo(1);

        database.rollback(); // no transaction open, nothing seen: skipped
        database.rollback();
        assertThat(searchPathQueries(sent)).isEqualTo(1);

        watch.writeSqlWillRun("SELECT set_config('search_path', 'elsewhere', false)");
        database.rollback(); // a statement that may have moved it: checked again
        database.commit();
        assertThat(searchPathQueries(sent)).isEqualTo(2);

        try (Statement s = raw.createStatement()) {
          s.execute("SELECT 1"); // opens a transaction: the rollback undoes something
        }
        database.rollback();
        database.commit();
        assertThat(searchPathQueries(sent)).isEqualTo(3);
      });
    }
  }

  private static long searchPathQueries(List<String> sent) {
    return sent.stream().filter(s -> s.toUpperCase(Locale.ROOT).contains("SHOW SEARCH_PATH")).count();
  }

  /** {@code raw}, recording the SQL of every statement Liquibase creates on it. */
  private static Connection counting(Connection raw, List<String> sent) {
    return (Connection) java.lang.reflect.Proxy.newProxyInstance(SearchPathIT.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          Object result = invoke(raw, method, args);
          if (result instanceof Statement statement && !(result instanceof java.sql.PreparedStatement)) {
            return java.lang.reflect.Proxy.newProxyInstance(SearchPathIT.class.getClassLoader(),
                new Class<?>[] {Statement.class}, (p, m, a) -> {
                  if (a != null && a.length > 0 && a[0] instanceof String sql) {
                    sent.add(sql);
                  }
                  return invoke(statement, m, a);
                });
          }
          if (method.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
            sent.add(sql);
          }
          return result;
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
