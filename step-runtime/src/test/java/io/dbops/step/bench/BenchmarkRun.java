package io.dbops.step.bench;

import io.dbops.step.config.CommitDurability;
import io.dbops.step.config.StepRuntimeConfig;
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
 * One measurement of {@link StepBenchmark}, run in its own JVM so that no method profits from
 * another's JIT warm-up or process-wide Liquibase settings: applies CHANGESETS through the method
 * three times, each time on a fresh database, and prints {@code RESULT <first ms> <last ms>}. The
 * first apply runs on a cold JVM (class loading and JIT compilation included, as a freshly started
 * process meets it); by the third the JIT has compiled the hot paths (on two cores, the second apply
 * still shares the CPU with the compiler threads).
 *
 * <p>Arguments: METHOD (raw | raw-nowait | plain | dbops | dbops-changeset | noop | plain-noop) DATABASE (POSTGRES | MARIADB)
 * CHANGESETS. {@code noop} applies CHANGESETS through one step runtime, then times seven applies
 * with nothing to do on it and prints {@code RESULT <apply ms> <no-op ms>...}; {@code plain-noop}
 * times plain Liquibase's second update of the same changelog.
 */
public final class BenchmarkRun {
  private BenchmarkRun() {}

  public static void main(String[] args) throws Exception {
    String method = args[0];
    TestDatabases.Kind kind = TestDatabases.Kind.valueOf(args[1]);
    int changesets = Integer.parseInt(args[2]);
    flushDelayMicros = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    java.util.logging.Logger.getLogger("liquibase").setLevel(Level.WARNING);
    Path dir = Files.createTempDirectory("dbops-bench");
    Path changelog = writeChangelog(dir.resolve("apply.sql"), statements(changesets));
    String result = switch (method) {
      case "raw" -> coldAndWarm(kind, db -> rawJdbc(db, statements(changesets), false));
      case "raw-nowait" -> coldAndWarm(kind, db -> rawJdbc(db, statements(changesets), true));
      case "plain" -> coldAndWarm(kind, db -> plainLiquibase(db, changelog));
      case "dbops" -> coldAndWarm(kind, db -> apply(db, changelog, CommitDurability.STEP));
      case "dbops-changeset" -> coldAndWarm(kind, db -> apply(db, changelog, CommitDurability.CHANGESET));
      case "noop" -> noop(kind, changelog);
      case "plain-noop" -> plainNoop(kind, changelog);
      default -> throw new IllegalArgumentException("unknown method " + method);
    };
    System.out.println("RESULT " + result);
  }

  /** Extra wait before every log flush on the benchmark's PostgreSQL databases (slower storage). */
  private static int flushDelayMicros;

  /**
   * A fresh database; with a flush delay, PostgreSQL's {@code commit_delay} (with {@code
   * commit_siblings = 0}) for every session on it: each commit that waits for its log flush waits
   * that much longer, as on slower storage. Commits that do not wait (asynchronous) are unaffected,
   * exactly as on slower storage.
   */
  private static TestDatabase database(TestDatabases.Kind kind) throws Exception {
    TestDatabase db = TestDatabases.create(kind);
    if (flushDelayMicros > 0 && kind == TestDatabases.Kind.POSTGRES) {
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        String name;
        try (var rs = s.executeQuery("SELECT current_database()")) {
          rs.next();
          name = rs.getString(1);
        }
        s.execute("ALTER DATABASE \"" + name + "\" SET commit_siblings = 0");
        s.execute("ALTER DATABASE \"" + name + "\" SET commit_delay = " + flushDelayMicros);
      }
    }
    return db;
  }

  private interface Apply {
    void run(TestDatabase db) throws Exception;
  }

  /** The cold and the steady-state (third) time of the same apply, each on a fresh database. */
  private static String coldAndWarm(TestDatabases.Kind kind, Apply apply) throws Exception {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (TestDatabase db = database(kind)) {
        long start = System.nanoTime();
        apply.run(db);
        times.add((System.nanoTime() - start) / 1_000_000);
      }
    }
    return times.get(0) + " " + times.get(2);
  }

  /** The warm step runtime: one apply of everything, then seven applies with nothing to do. */
  private static String noop(TestDatabases.Kind kind, Path changelog) throws Exception {
    try (TestDatabase db = database(kind);
        PoolCache pools = new PoolCache(2, Duration.ofSeconds(10))) {
      LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC());
      List<Long> times = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        long start = System.nanoTime();
        apply(runner, db, changelog);
        times.add((System.nanoTime() - start) / 1_000_000);
      }
      return String.join(" ", times.stream().map(String::valueOf).toList());
    }
  }

  /**
   * Plain Liquibase's no-op: the changelog applied by plain Liquibase, then a second update timed in
   * the same (now warm) JVM; a CLI, starting cold, would be slower.
   */
  private static String plainNoop(TestDatabases.Kind kind, Path changelog) throws Exception {
    try (TestDatabase db = database(kind)) {
      plainLiquibase(db, changelog);
      long start = System.nanoTime();
      plainLiquibase(db, changelog);
      return Long.toString((System.nanoTime() - start) / 1_000_000);
    }
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

  /**
   * The statements on one auto-commit connection; {@code noWait} (PostgreSQL only): with {@code
   * synchronous_commit = off}, so that no commit waits for its log flush.
   */
  private static void rawJdbc(TestDatabase db, List<String> statements, boolean noWait) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        Statement s = c.createStatement()) {
      if (noWait) {
        s.execute("SET synchronous_commit = off");
      }
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  @SuppressWarnings("deprecation")
  private static void plainLiquibase(TestDatabase db, Path changelog) throws Exception {
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
  }

  private static void apply(TestDatabase db, Path changelog, CommitDurability durability) throws Exception {
    try (PoolCache pools = new PoolCache(2, Duration.ofSeconds(10))) {
      apply(new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC(), StepRuntimeConfig.DEFAULT_LOCK_TIMEOUT,
          durability), db, changelog);
    }
  }

  private static void apply(LiquibaseStepRunner runner, TestDatabase db, Path changelog) {
    StepOutcome outcome = runner.run(new StepCommand("bench", StepCommand.Kind.APPLY, changelog.toString(), "",
        db.jdbcUrl(), db.username(), "", "", "", "", 0, Map.of(), ""), (level, text) -> {}, new StepControl());
    if (outcome.status() != StepOutcome.Status.SUCCEEDED) {
      throw new IllegalStateException(outcome.error());
    }
  }
}
