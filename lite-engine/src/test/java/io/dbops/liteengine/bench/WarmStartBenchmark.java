package io.dbops.liteengine.bench;

import io.dbops.liteengine.LiteEngineMain;
import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.StepRuntimeMain;
import io.dbops.support.PodCredential;
import io.dbops.support.WarmStart;
import io.dbops.testsupport.ChildJvm;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Warm versus cold pod processes (issues #19, #16), each in its own JVM with the local runtime's
 * JVM options: for the step runtime, process start (cold) or bind (warm) to its listening line, and
 * the wall time of the first real step, an APPLY of a 3-changeset changelog to a fresh PostgreSQL
 * database; for the lite engine, start or bind to its listening line. Rounds alternate cold and
 * warm; medians and every round are printed, with the load average before and after.
 *
 * <p>Usage: {@code WarmStartBenchmark [rounds]} (default 5), with {@code DBOPS_TEST_POSTGRES_URL}
 * and {@code DBOPS_TEST_POSTGRES_USER} set (test-support's TestDatabases). Command in
 * docs/performance.md, "Warm pods".
 */
public final class WarmStartBenchmark {
  /** The local runtime's options (LocalSettings and PodProcessCommand), without its CDS archive. */
  private static final List<String> STEP_RUNTIME_JVM = List.of("-XX:+UseSerialGC", "-Xmx256m", "-Xss512k");
  private static final List<String> LITE_ENGINE_JVM = List.of("-XX:+UseSerialGC", "-Xmx96m", "-Xss256k",
      "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m");
  private static final String TOKEN = "bench-pod-credential-0123456789";
  private static final String PASSWORD_ENV = "BENCH_DB_PASSWORD";

  private final Path changelogs;

  private WarmStartBenchmark(Path changelogs) {
    this.changelogs = changelogs;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("dbops-warm-bench-");
    Files.writeString(dir.resolve("changelog.xml"), CHANGELOG);
    WarmStartBenchmark bench = new WarmStartBenchmark(dir);
    String loadBefore = load();
    Map<String, List<Long>> results = new java.util.LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      long[] cold = bench.stepRuntime(false);
      long[] warm = bench.stepRuntime(true);
      long engineCold = bench.liteEngine(false);
      long engineWarm = bench.liteEngine(true);
      record("step runtime cold: start -> listening (ms)", results, cold[0]);
      record("step runtime warm: bind -> listening (ms)", results, warm[0]);
      record("step runtime cold: first APPLY, 3 changesets, PostgreSQL (ms)", results, cold[1]);
      record("step runtime warm: first APPLY, 3 changesets, PostgreSQL (ms)", results, warm[1]);
      record("step runtime cold: start -> first APPLY done (ms)", results, cold[0] + cold[1]);
      record("step runtime warm: bind -> first APPLY done (ms)", results, warm[0] + warm[1]);
      record("step runtime warm: start -> warm line (ms, before any binding)", results, warm[2]);
      record("lite engine cold: start -> listening (ms)", results, engineCold);
      record("lite engine warm: bind -> listening (ms)", results, engineWarm);
      System.out.printf("round %d done%n", round + 1);
    }
    System.out.println("load average before: " + loadBefore + "; after: " + load());
    System.out.printf("%-66s %8s  %s%n", "measure", "median", "rounds");
    results.forEach((name, values) -> System.out.printf("%-66s %8d  %s%n", name, median(values), values));
  }

  private static void record(String name, Map<String, List<Long>> results, long value) {
    results.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
  }

  /** [start or bind -> listening, first APPLY wall time, start -> warm line (warm only)], in ms. */
  private long[] stepRuntime(boolean warm) throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      int port = freePort();
      Map<String, String> env = new HashMap<>();
      env.put(PodCredential.ENV, TOKEN);
      env.put("DBOPS_STEP_PORT", Integer.toString(port));
      env.put(PASSWORD_ENV, db.password());
      String listening = "dbops step runtime listening on port " + port;
      long started = System.nanoTime();
      long warmLine = -1;
      ChildJvm process;
      long from;
      if (warm) {
        process = ChildJvm.start(StepRuntimeMain.class.getName(), Map.of(WarmStart.VARIABLE, WarmStart.STDIN),
            STEP_RUNTIME_JVM);
        String line = WarmStart.warmLine(StepRuntimeMain.ROLE);
        awaitLine(process, line);
        warmLine = millis(process.firstRead(line) - started);
        from = System.nanoTime();
        process.writeLine(WarmStart.bindLine(env));
      } else {
        process = ChildJvm.start(StepRuntimeMain.class.getName(), env, STEP_RUNTIME_JVM);
        from = started;
      }
      try (process) {
        awaitLine(process, listening);
        long toListening = millis(process.firstRead(listening) - from);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
          long applyStarted = System.nanoTime();
          StepResult result = apply(channel, db);
          long apply = millis(System.nanoTime() - applyStarted);
          if (result.getStatus() != StepStatus.STEP_STATUS_SUCCEEDED || result.getChangesetsCount() != 3) {
            throw new IllegalStateException("the APPLY did not apply 3 changesets: " + result);
          }
          return new long[] {toListening, apply, warmLine};
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private long liteEngine(boolean warm) throws Exception {
    int port = freePort();
    Map<String, String> env = Map.of(PodCredential.ENV, TOKEN, "DBOPS_LITE_ENGINE_PORT", Integer.toString(port),
        "DBOPS_POD_STEP_PORTS", Integer.toString(freePort()), "DBOPS_LOG_SERVICE_URL", "http://127.0.0.1:9",
        "DBOPS_LOG_SPOOL_DIR", "off");
    String listening = "dbops lite engine listening on port " + port;
    long from = System.nanoTime();
    ChildJvm process;
    if (warm) {
      process = ChildJvm.start(LiteEngineMain.class.getName(), Map.of(WarmStart.VARIABLE, WarmStart.STDIN),
          LITE_ENGINE_JVM);
      awaitLine(process, WarmStart.warmLine(LiteEngineMain.ROLE));
      from = System.nanoTime();
      process.writeLine(WarmStart.bindLine(env));
    } else {
      process = ChildJvm.start(LiteEngineMain.class.getName(), env, LITE_ENGINE_JVM);
    }
    try (process) {
      awaitLine(process, listening);
      return millis(process.firstRead(listening) - from);
    }
  }

  private StepResult apply(ManagedChannel channel, TestDatabase db) {
    StepRequest request = StepRequest.newBuilder()
        .setStepId("bench-apply")
        .setKind(StepKind.STEP_KIND_APPLY)
        .setChangelog("changelog.xml")
        .setSearchPath(changelogs.toString())
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl(db.jdbcUrl()).setUsername(db.username())
            .setPasswordEnv(db.password().isEmpty() ? "" : PASSWORD_ENV))
        .build();
    Iterator<StepEvent> events = StepRunnerGrpc.newBlockingStub(channel)
        .withInterceptors(PodCredential.of(TOKEN).clientInterceptor())
        .withDeadlineAfter(5, TimeUnit.MINUTES).execute(request);
    StepResult result = null;
    while (events.hasNext()) {
      StepEvent event = events.next();
      if (event.hasResult()) {
        result = event.getResult();
      }
    }
    return result;
  }

  private static void awaitLine(ChildJvm process, String line) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (process.firstRead(line) == null) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("no '" + line + "':\n" + process.outputText());
      }
      Thread.sleep(2); // the arrival time is taken by the reader thread, not by this poll
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
  }

  private static String load() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static final String CHANGELOG = """
      <?xml version="1.0" encoding="UTF-8"?>
      <databaseChangeLog
          xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd">
        <changeSet id="bench-1" author="bench">
          <createTable tableName="orders">
            <column name="id" type="bigint"><constraints primaryKey="true" nullable="false"/></column>
            <column name="customer" type="varchar(100)"/>
          </createTable>
        </changeSet>
        <changeSet id="bench-2" author="bench">
          <addColumn tableName="orders"><column name="placed_at" type="timestamp"/></addColumn>
        </changeSet>
        <changeSet id="bench-3" author="bench">
          <createIndex tableName="orders" indexName="orders_customer"><column name="customer"/></createIndex>
        </changeSet>
      </databaseChangeLog>
      """;
}
