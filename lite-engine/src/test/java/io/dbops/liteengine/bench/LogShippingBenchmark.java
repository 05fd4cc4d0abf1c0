package io.dbops.liteengine.bench;

import io.dbops.liteengine.RealLogService;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test (docs/performance.md has the command): end-to-end lines per second from a
 * {@code LogShipper} to the real log service over HTTP, with a line filter masking 100 secrets,
 * and the shipper's heap. The service (HTTP server, LogService, H2 file or PostgreSQL) runs in
 * this JVM; the shipper runs in its own JVM ({@link ShipperProcess}, {@code -Xmx64m}), so its heap
 * is its own. Runs: a warm-up, {@code runs} timed runs (no heap sampling), then one run with the
 * heap sampled (a full GC every 200 ms, which slows it).
 *
 * <p>Arguments: lines per run (default 2,000,000), database {@code h2} (default) or {@code
 * postgres} (DBOPS_TEST_POSTGRES_URL / DBOPS_TEST_POSTGRES_USER, as the tests), timed runs
 * (default 3), {@code mask} (default: the real masker of 100 secrets) or {@code nomask} (no line
 * filter, to see what masking costs). {@code DBOPS_BENCH_SHIPPER_JAVA_OPTS} adds JVM options to the
 * shipper (for example a
 * {@code -XX:StartFlightRecording=...} to profile it).
 */
public final class LogShippingBenchmark {
  private LogShippingBenchmark() {}

  public static void main(String[] args) throws Exception {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
    String db = args.length > 1 ? args[1] : "h2";
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    boolean mask = args.length <= 3 || !args[3].equals("nomask");
    Path work = Files.createTempDirectory("dbops-log-bench");
    TestDatabase postgres = db.equals("postgres") ? TestDatabases.create(TestDatabases.Kind.POSTGRES) : null;
    try (RealLogService service = new RealLogService(work, postgres == null ? null : postgres.jdbcUrl(),
        postgres == null ? null : postgres.username()).start()) {
      service.execution("ex-bench", "RUNNING");
      System.out.printf(Locale.ROOT, "log shipping benchmark: %,d lines per run, database %s, %s, %d CPUs, load %.1f%n",
          lines, db, mask ? "100 secrets masked" : "no masking", Runtime.getRuntime().availableProcessors(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      ship(service, "warmup", Math.min(lines, 500_000), work, false, mask);
      List<String> results = new ArrayList<>();
      for (int i = 1; i <= runs; i++) {
        results.add(ship(service, "run" + i, lines, work, false, mask));
      }
      results.add(ship(service, "heap", lines, work, true, mask));
      results.forEach(System.out::println);
      System.out.printf(Locale.ROOT, "load average at the end: %.1f%n",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private static String ship(RealLogService service, String name, long lines, Path work, boolean sampleHeap,
      boolean mask) throws Exception {
    String stream = "executions/ex-bench/dev/" + name;
    Path spool = Files.createDirectories(work.resolve("spool-" + name));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m"));
    String extra = System.getenv("DBOPS_BENCH_SHIPPER_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ShipperProcess.class.getName(),
        service.url(), stream, service.tokenFor(stream), Long.toString(lines), spool.toString(), Boolean.toString(mask),
        Boolean.toString(sampleHeap)));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("Shipper run " + name + " failed:\n" + output);
    }
    long stored = service.lastSeq(stream);
    if (stored != lines) {
      throw new IllegalStateException("Run " + name + ": " + stored + " lines stored, not " + lines);
    }
    String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse("no RESULT: " + output);
    return name + ": " + result.substring("RESULT ".length()) + " stored=" + stored;
  }
}
