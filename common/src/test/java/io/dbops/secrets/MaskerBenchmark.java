package io.dbops.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark, not a test (docs/performance.md): lines per second of {@link Masker#apply} alone on
 * one thread, for 100 random 16-character secrets (every tenth line holds one), then with a
 * 3-character value added (the shortest masked, which makes the masker look at every second
 * position). Argument: lines per run (default 2,000,000).
 */
public final class MaskerBenchmark {
  private MaskerBenchmark() {}

  public static void main(String[] args) {
    int lines = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    Random random = new Random(42);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      StringBuilder s = new StringBuilder();
      for (int j = 0; j < 16; j++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      secrets.add(s.toString());
    }
    String[] text = new String[10_000];
    for (int i = 0; i < text.length; i++) {
      text[i] = "line " + i + " INFO liquibase.changelog: ChangeSet db/orders.xml::" + (i % 977)
          + "::alice ran successfully in 3ms" + (i % 10 == 0 ? " password=" + secrets.get(i % 100) : "");
    }
    List<String> withShort = new ArrayList<>(secrets);
    withShort.add("abc");
    run("100 secrets", new Masker(secrets), text, lines);
    run("100 secrets and a 3-character one", new Masker(withShort), text, lines);
  }

  private static void run(String name, Masker masker, String[] text, int lines) {
    for (int round = 1; round <= 5; round++) { // the first rounds warm the JIT up
      long start = System.nanoTime();
      long chars = 0;
      for (int i = 0; i < lines; i++) {
        chars += masker.apply(text[i % text.length]).length();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "%s (%s): round %d: %.0f lines/s (%d chars)%n", name, masker, round,
          lines / seconds, chars);
    }
  }
}
