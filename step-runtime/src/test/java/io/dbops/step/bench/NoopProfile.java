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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Profiling aid (not a test): applies N changesets, then repeats the no-op apply R times and prints each time. */
public final class NoopProfile {
  private NoopProfile() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    TestDatabases.Kind kind = TestDatabases.Kind.valueOf(args.length > 2 ? args[2] : "POSTGRES");
    java.util.logging.Logger.getLogger("liquibase").setLevel(java.util.logging.Level.WARNING);
    Path dir = Files.createTempDirectory("dbops-prof");
    Path big = BenchmarkRun.writeChangelog(dir.resolve("noop.sql"), BenchmarkRun.statements(n));
    try (TestDatabase db = TestDatabases.create(kind); PoolCache pools = new PoolCache(2, Duration.ofSeconds(10))) {
      LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC());
      System.out.println("apply: " + run(runner, db, big) + " ms");
      List<Long> times = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        times.add(run(runner, db, big));
      }
      System.out.println("no-op: " + times);
      System.out.println("median: " + times.stream().sorted().toList().get(times.size() / 2));
    }
  }

  private static long run(LiquibaseStepRunner runner, TestDatabase db, Path changelog) {
    long start = System.nanoTime();
    StepOutcome outcome = runner.run(new StepCommand("bench", StepCommand.Kind.APPLY, changelog.toString(), "",
        db.jdbcUrl(), db.username(), "", "", "", "", 0, Map.of(), ""), (level, text) -> {}, new StepControl());
    if (outcome.status() != StepOutcome.Status.SUCCEEDED) {
      throw new IllegalStateException(outcome.error());
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
