package io.dbops.step.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Side-by-side benchmark (not a test): per-changeset cost of applying generated changesets through
 * the dbops step runtime, through plain Liquibase 4.33.0 (standard lock and history services, a
 * fresh Liquibase as the CLI would build) and as raw JDBC running the same statements; then the
 * no-op apply on a warm runtime. Every measurement runs in its own JVM ({@link BenchmarkRun}) and
 * the methods take turns round by round. Each JVM applies three times: the first apply is cold
 * (class loading, JIT), the third the steady state, which is the per-changeset cost compared. See
 * docs/performance.md.
 *
 * <p>Arguments: [changesets (1000)] [no-op changesets (2000)] [databases (POSTGRES,MARIADB)]
 * [rounds (3)] [flush delay in microseconds (0)]: with a delay, every PostgreSQL commit that waits
 * for its log flush waits that much longer ({@code commit_delay}), which stands in for slower
 * storage than this machine's.
 */
public final class StepBenchmark {
  private static final Map<String, String> LABELS = Map.of("raw", "raw JDBC", "raw-nowait",
      "raw JDBC, commits not waiting", "plain", "plain Liquibase 4.33.0", "dbops", "dbops step runtime",
      "dbops-changeset", "dbops, durability=changeset");

  private static int flushDelayMicros;

  private StepBenchmark() {}

  public static void main(String[] args) throws Exception {
    int changesets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int noop = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    String[] kinds = (args.length > 2 ? args[2] : "POSTGRES,MARIADB").split(",");
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    flushDelayMicros = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    for (String kind : kinds) {
      kind = kind.trim();
      // On PostgreSQL, the same statements with commits that do not wait for the log flush tell
      // what a flush costs on this machine's storage, and dbops with DBOPS_STEP_DURABILITY=changeset
      // what the per-step flush saves.
      List<String> methods = kind.equals("POSTGRES")
          ? List.of("raw", "raw-nowait", "plain", "dbops", "dbops-changeset") : List.of("raw", "plain", "dbops");
      Map<String, List<Long>> cold = new LinkedHashMap<>();
      Map<String, List<Long>> steady = new LinkedHashMap<>();
      for (String method : methods) {
        cold.put(method, new ArrayList<>());
        steady.put(method, new ArrayList<>());
      }
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < methods.size(); i++) {
          String method = methods.get((i + round) % methods.size()); // each method goes first in turn
          String[] times = run(method, kind, changesets);
          cold.get(method).add(Long.parseLong(times[0]));
          steady.get(method).add(Long.parseLong(times[1]));
        }
      }
      System.out.printf("%n%s, %d changesets, %d rounds, ms per changeset (a fresh JVM per method and round)%s%n",
          kind, changesets, rounds, flushDelayMicros > 0 && kind.equals("POSTGRES")
              ? ", every waiting log flush " + flushDelayMicros + " us slower" : "");
      print("steady state (third apply in the JVM)", steady, changesets);
      if (steady.containsKey("raw-nowait")) {
        printFlushCost(steady, changesets);
      }
      print("cold JVM (first apply)", cold, changesets);
      String[] warm = run("noop", kind, noop);
      System.out.printf("  warm runtime, %d changesets: apply %s ms; no-op first %s ms, then %s ms%n", noop, warm[0],
          warm[1], Arrays.asList(warm).subList(2, warm.length));
      System.out.printf("  plain Liquibase no-op over the same %d (warm JVM): %s ms%n", noop,
          run("plain-noop", kind, noop)[0]);
    }
  }

  /**
   * The log flush per commit on this storage (raw JDBC with and without waiting for it) and the
   * flush time from which dbops costs at most half of plain Liquibase per changeset: plain Liquibase
   * waits for two flushes per changeset (statements, then history row), a dbops apply for one per
   * step, so with a flush of F' instead of F plain costs {@code plain + 2 (F' - F)} and dbops the
   * same; half is reached when {@code F' >= F + dbops - plain / 2}.
   */
  private static void printFlushCost(Map<String, List<Long>> steady, int changesets) {
    double raw = median(steady.get("raw")) / changesets;
    double noWait = median(steady.get("raw-nowait")) / changesets;
    double plain = median(steady.get("plain")) / changesets;
    double dbops = median(steady.get("dbops")) / changesets;
    double flush = Math.max(0, raw - noWait);
    System.out.printf("    log flush per commit here: %.2f ms; dbops <= 0.5 x plain from a flush of %.2f ms%n",
        flush, flush + dbops - plain / 2);
  }

  private static void print(String title, Map<String, List<Long>> millis, int changesets) {
    System.out.printf("  %s%n", title);
    double plainMedian = median(millis.get("plain")) / changesets;
    for (String method : millis.keySet()) {
      List<Long> runs = millis.get(method);
      double perChangeset = median(runs) / changesets;
      String ratio = method.startsWith("raw") ? "" : String.format("  (%.2f x plain)", perChangeset / plainMedian);
      System.out.printf("    %-30s median %6.2f  runs %s%s%n", LABELS.get(method), perChangeset,
          runs.stream().map(ms -> String.format("%.2f", (double) ms / changesets)).toList(), ratio);
    }
  }

  private static double median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  /** Runs one {@link BenchmarkRun} in a fresh JVM with this JVM's class path; returns its RESULT fields. */
  private static String[] run(String method, String kind, int changesets) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        BenchmarkRun.class.getName(), method, kind, Integer.toString(changesets), Integer.toString(flushDelayMicros))
        .redirectErrorStream(true).start();
    String result = null;
    List<String> output = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring("RESULT ".length());
        } else {
          output.add(line);
        }
      }
    }
    if (process.waitFor() != 0 || result == null) {
      throw new IllegalStateException(method + " on " + kind + " failed:\n" + String.join("\n", output));
    }
    return result.split(" ");
  }
}
