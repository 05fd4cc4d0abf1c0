package io.dbops.liteengine.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A simple masking line filter for the benchmark (the real masker is another issue's): replaces
 * every occurrence of any of its secrets with {@code *****}. Any occurrence of a secret of length
 * L covers a position that is a multiple of L - 1 (the shortest secret's), together with the next
 * character; so only those positions are looked up, in a table of every two-character pair inside
 * any secret, and a hit is confirmed by comparing the candidate secrets in place. Thread-safe
 * (immutable).
 */
public final class SecretMasker implements UnaryOperator<String> {
  private static final String MASK = "*****";
  private final boolean[] pairs = new boolean[1 << 16];
  private final Map<Integer, List<Candidate>> byPair = new HashMap<>();
  private final int stride;

  /** A secret, and where in it a two-character pair sits. */
  private record Candidate(String secret, int offset) {}

  public SecretMasker(List<String> secrets) {
    int shortest = Integer.MAX_VALUE;
    for (String secret : secrets) {
      if (secret.length() < 2) {
        throw new IllegalArgumentException("Secrets must have at least two characters");
      }
      shortest = Math.min(shortest, secret.length());
      for (int o = 0; o + 1 < secret.length(); o++) {
        int key = pair(secret.charAt(o), secret.charAt(o + 1));
        pairs[key] = true;
        byPair.computeIfAbsent(key, k -> new ArrayList<>()).add(new Candidate(secret, o));
      }
    }
    stride = Math.max(1, shortest - 1);
  }

  @Override
  public String apply(String text) {
    List<int[]> hits = null;
    for (int k = 0; k + 1 < text.length(); k += stride) {
      int key = pair(text.charAt(k), text.charAt(k + 1));
      if (!pairs[key]) {
        continue;
      }
      for (Candidate c : byPair.get(key)) {
        int start = k - c.offset();
        if (start >= 0 && text.startsWith(c.secret(), start)) {
          if (hits == null) {
            hits = new ArrayList<>();
          }
          hits.add(new int[] {start, start + c.secret().length()});
        }
      }
    }
    if (hits == null) {
      return text;
    }
    hits.sort((a, b) -> Integer.compare(a[0], b[0]));
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    for (int[] hit : hits) {
      if (hit[1] <= copied) {
        continue; // found twice, or inside a longer secret
      }
      out.append(text, copied, Math.max(copied, hit[0])).append(hit[0] >= copied ? MASK : "");
      copied = hit[1];
    }
    return out.append(text, copied, text.length()).toString();
  }

  private static int pair(char a, char b) {
    return ((a << 7) ^ b) & 0xFFFF;
  }
}
