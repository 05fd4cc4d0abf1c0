package io.dbops.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark, not a test (see docs/performance.md for the command): the dispatch latency of a
 * no-op task from submission to its start on the delegate and to its acknowledged result, one
 * task at a time, through a control plane and a delegate that are separate processes of the
 * distribution; then the resident memory of the idle, connected delegate.
 *
 * <p>Arguments: number of tasks (default 300), then extra JVM options for the delegate (for
 * example "-Xmx64m").
 */
public final class DispatchBenchmark {
  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    String delegateJavaOpts = args.length > 1 ? args[1] : "";
    Path work = Files.createTempDirectory("dbops-bench");
    try (Cluster cluster = new Cluster(work)) {
      Cluster.Server server = cluster.server("cp", 0, Map.of());
      Cluster.Delegate delegate = cluster.delegate(server.url(), server.api().createToken("bench"), "bench", "d",
          delegateJavaOpts.isBlank() ? Map.of() : Map.of("DBOPS_JAVA_OPTS", delegateJavaOpts));
      // warm-up: JIT of both processes, connection pools
      for (int i = 0; i < 50; i++) {
        runOne(server.api());
      }
      List<Long> toStart = new ArrayList<>();
      List<Long> toResult = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        JsonNode t = runOne(server.api());
        Instant created = Instant.parse(t.get("createdAt").asText());
        toStart.add(Duration.between(created, Instant.parse(t.get("startedAt").asText())).toMillis());
        toResult.add(Duration.between(created, Instant.parse(t.get("finishedAt").asText())).toMillis());
      }
      System.out.printf(Locale.ROOT, "noop tasks: %d (after 50 warm-up), one at a time%n", tasks);
      System.out.printf(Locale.ROOT, "submission -> claimed and started: p50 %d ms, p99 %d ms, max %d ms%n",
          pct(toStart, 50), pct(toStart, 99), Collections.max(toStart));
      System.out.printf(Locale.ROOT, "submission -> result stored:       p50 %d ms, p99 %d ms, max %d ms%n",
          pct(toResult, 50), pct(toResult, 99), Collections.max(toResult));

      Thread.sleep(10_000); // idle and connected: heartbeats only
      long pid = delegate.process().pid();
      System.out.printf(Locale.ROOT, "idle connected delegate (pid %d, JVM options '%s'): %s%n", pid,
          delegateJavaOpts, rss(pid));
    }
  }

  private static JsonNode runOne(ControlPlaneHttp api) throws Exception {
    String id = api.submitNoop(0, 60);
    while (true) {
      JsonNode t = api.task(id);
      String status = t.get("status").asText();
      if (status.equals("SUCCEEDED")) {
        return t;
      }
      if (status.equals("FAILED")) {
        throw new IllegalStateException("noop task failed: " + t);
      }
      Thread.sleep(2); // polling the API; the timestamps measured are the control plane's own
    }
  }

  private static long pct(List<Long> values, int percentile) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index));
  }

  private static String rss(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return "RSS " + line.substring(6).trim();
      }
    }
    return "RSS unknown";
  }
}
