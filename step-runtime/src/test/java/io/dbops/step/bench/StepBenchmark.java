package io.dbops.step.bench;

import io.dbops.step.datasource.PoolCache;
import io.dbops.step.liquibase.LiquibaseStepRunner;
import io.dbops.step.liquibase.StepCommand;
import io.dbops.step.liquibase.StepControl;
import io.dbops.step.liquibase.StepOutcome;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * Side-by-side benchmark (not a test): per-changeset cost of applying generated changesets through
 * the dbops step runtime, through plain Liquibase 4.33.0 (standard lock and history services, a
 * fresh Liquibase as the CLI would build), and as raw JDBC running the same statements; then the
 * no-op apply on a warm runtime. See docs/performance.md for the command.
 *
 * <p>Arguments: [changesets (1000)] [no-op changesets (2000)] [databases (POSTGRES,MARIADB)].
 */
public final class StepBenchmark {
  private StepBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int noop = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String[] kinds = (args.length > 2 ? args[2] : "POSTGRES,MARIADB").split(",");
    java.util.logging.Logger.getLogger("liquibase").setLevel(Level.WARNING);
    Path dir = Files.createTempDirectory("dbops-bench");
    List<String> statements = statements(n);
    Path changelog = writeChangelog(dir.resolve("apply.sql"), statements);
    Path big = writeChangelog(dir.resolve("noop.sql"), statements(noop));
    System.out.printf("%-9s %-26s %10s %14s%n", "database", "method", "total ms", "ms/changeset");
    for (String kind : kinds) {
      TestDatabases.Kind k = TestDatabases.Kind.valueOf(kind.trim());
      // Warm the JVM once per database so the first measured method is not penalised.
      try (TestDatabase warm = TestDatabases.create(k)) {
        plainLiquibase(warm, changelog(dir, statements(50), "warm.sql"));
      }
      try (TestDatabase db = TestDatabases.create(k)) {
        report(kind, "raw JDBC", rawJdbc(db, statements), n);
      }
      try (TestDatabase db = TestDatabases.create(k)) {
        report(kind, "plain Liquibase 4.33.0", plainLiquibase(db, changelog), n);
      }
      try (TestDatabase db = TestDatabases.create(k);
          PoolCache pools = new PoolCache(2, Duration.ofSeconds(10))) {
        LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC());
        report(kind, "dbops step runtime", runtime(runner, db, changelog), n);
      }
      try (TestDatabase db = TestDatabases.create(k);
          PoolCache pools = new PoolCache(2, Duration.ofSeconds(10))) {
        LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC());
        long first = runtime(runner, db, big);
        long cold = runtime(runner, db, big);
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          warm.add(runtime(runner, db, big));
        }
        System.out.printf("%-9s apply of %d changesets: %d ms; no-op on that runtime: first %d ms, then %s ms%n",
            kind, noop, first, cold, warm);
        long plainNoop = plainLiquibase(db, big);
        System.out.printf("%-9s no-op through plain Liquibase (fresh, as the CLI): %d ms%n", kind, plainNoop);
      }
    }
  }

  private static Path changelog(Path dir, List<String> statements, String name) throws Exception {
    return writeChangelog(dir.resolve(name), statements);
  }

  static List<String> statements(int n) {
    List<String> result = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      result.add(i % 2 == 0
          ? "CREATE TABLE bench_" + i + " (id INT PRIMARY KEY, name VARCHAR(50))"
          : "INSERT INTO bench_" + (i - 1) + " (id, name) VALUES (" + i + ", 'row " + i + "')");
    }
    return result;
  }

  static Path writeChangelog(Path file, List<String> statements) throws Exception {
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n\n");
    for (int i = 0; i < statements.size(); i++) {
      sb.append("--changeset bench:").append(i).append('\n').append(statements.get(i)).append(";\n\n");
    }
    Files.writeString(file, sb);
    return file;
  }

  private static void report(String kind, String method, long millis, int n) {
    System.out.printf("%-9s %-26s %10d %14.2f%n", kind, method, millis, (double) millis / n);
  }

  private static long rawJdbc(TestDatabase db, List<String> statements) throws Exception {
    long start = System.nanoTime();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @SuppressWarnings("deprecation")
  private static long plainLiquibase(TestDatabase db, Path changelog) throws Exception {
    long start = System.nanoTime();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(changelog.getParent())) {
      Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
      Map<String, Object> scope = Map.of("liquibase.analytics.enabled", Boolean.FALSE,
          "liquibase.command.showSummary", "OFF");
      Scope.child(scope, () -> {
        Liquibase liquibase = new Liquibase(changelog.getFileName().toString(), accessor, database);
        liquibase.update("");
      });
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static long runtime(LiquibaseStepRunner runner, TestDatabase db, Path changelog) {
    long start = System.nanoTime();
    StepOutcome outcome = runner.run(new StepCommand("bench", StepCommand.Kind.APPLY, changelog.toString(), "",
        db.jdbcUrl(), db.username(), "", "", "", "", 0, Map.of(), ""), (level, text) -> {}, new StepControl());
    if (outcome.status() != StepOutcome.Status.SUCCEEDED) {
      throw new IllegalStateException(outcome.error());
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
