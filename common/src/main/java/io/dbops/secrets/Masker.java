package io.dbops.secrets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.dbops.support.Secrets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Replaces every known form of a task's secret values in a line of text with {@link
 * Secrets#MASK}: the exact value; each line of a multi-line value; its base64 (standard and
 * URL-safe, with and without padding), URL-encoded ({@code +} or {@code %20} for spaces) and
 * JSON-escaped (with and without {@code \\uXXXX} for non-ASCII characters) forms. Overlapping
 * occurrences (a value that contains another, or two that overlap) are masked as one.
 *
 * <p>Values (and lines of values) shorter than {@link #MIN_LENGTH} characters are not masked:
 * masking "a" or "42" would garble ordinary text and hide nothing. Nor is an occurrence inside the
 * scheme of a JDBC URL ({@link Secrets#jdbcSchemes}): a password "postgres" must not turn {@code
 * jdbc:postgresql://} into {@code jdbc:**************ql://}, which garbles the URL and shows the
 * password's length and context to every reader.
 *
 * <p>How it stays fast with hundreds of forms: any occurrence of a form is at least {@code S}
 * characters long ({@code S} = the shortest form), so it covers a position that is a multiple of
 * {@code S - 1} together with the next character. Only those positions are looked up, in a table
 * of every two-character pair inside any form; a hit is confirmed by comparing the candidate forms
 * in place. A line without secrets costs about {@code length / (S - 1)} table lookups.
 *
 * <p>Immutable and thread-safe; use it as a log shipper's line filter. Text split across writes
 * must be joined into lines before masking (see {@link MaskingLineSplitter}). Its {@code
 * toString} never shows a value.
 */
public final class Masker implements UnaryOperator<String> {
  public static final int MIN_LENGTH = 3;
  public static final Masker NONE = new Masker(List.of());

  private static final int TABLE_SIZE = 1 << 16;

  private final int formCount;
  private final int stride;
  /** pair hash → the forms containing that pair, and where; null when none. */
  private final Candidate[][] byPair;

  /** A form, and the offset of a two-character pair inside it. */
  private record Candidate(String form, int offset) {}

  public Masker(Collection<String> secretValues) {
    Set<String> all = new LinkedHashSet<>();
    for (String value : secretValues) {
      if (value == null) {
        continue;
      }
      addForms(value, all);
      for (String line : value.split("\\R")) {
        addForms(line, all);
      }
    }
    this.formCount = all.size();
    int shortest = all.stream().mapToInt(String::length).min().orElse(MIN_LENGTH);
    this.stride = Math.max(1, shortest - 1);
    List<List<Candidate>> table = new ArrayList<>(TABLE_SIZE);
    for (int i = 0; i < TABLE_SIZE; i++) {
      table.add(null);
    }
    for (String form : all) {
      for (int o = 0; o + 1 < form.length(); o++) {
        int key = pair(form.charAt(o), form.charAt(o + 1));
        if (table.get(key) == null) {
          table.set(key, new ArrayList<>());
        }
        table.get(key).add(new Candidate(form, o));
      }
    }
    this.byPair = new Candidate[TABLE_SIZE][];
    for (int i = 0; i < TABLE_SIZE; i++) {
      if (table.get(i) != null) {
        byPair[i] = table.get(i).toArray(new Candidate[0]);
      }
    }
  }

  /** A masker of the values of {@code secretValues}; {@link #NONE} when there are none. */
  public static Masker of(Collection<String> secretValues) {
    return secretValues.isEmpty() ? NONE : new Masker(secretValues);
  }

  /** How many distinct forms are masked (for metrics and tests). */
  public int formCount() {
    return formCount;
  }

  /** True when this masker masks nothing. */
  public boolean isEmpty() {
    return formCount == 0;
  }

  @Override
  public String apply(String text) {
    if (text == null || formCount == 0 || text.length() < 2) {
      return text;
    }
    int[] hits = null; // pairs of start, end
    int hitCount = 0;
    int last = text.length() - 1;
    for (int k = 0; k < last; k += stride) {
      Candidate[] candidates = byPair[pair(text.charAt(k), text.charAt(k + 1))];
      if (candidates == null) {
        continue;
      }
      for (Candidate c : candidates) {
        int start = k - c.offset;
        if (start >= 0 && text.startsWith(c.form, start)) {
          if (hits == null) {
            hits = new int[8];
          } else if (hitCount * 2 == hits.length) {
            hits = Arrays.copyOf(hits, hits.length * 2);
          }
          hits[hitCount * 2] = start;
          hits[hitCount * 2 + 1] = start + c.form.length();
          hitCount++;
        }
      }
    }
    if (hits == null) {
      return text;
    }
    hitCount = outsideJdbcSchemes(text, hits, hitCount);
    return hitCount == 0 ? text : masked(text, hits, hitCount);
  }

  /** Drops the hits that lie wholly inside a JDBC URL's scheme; returns how many are left (compacted). */
  private static int outsideJdbcSchemes(String text, int[] hits, int hitCount) {
    int[] schemes = Secrets.jdbcSchemes(text);
    if (schemes.length == 0) {
      return hitCount;
    }
    int kept = 0;
    for (int i = 0; i < hitCount; i++) {
      if (!Secrets.within(schemes, hits[i * 2], hits[i * 2 + 1])) {
        hits[kept * 2] = hits[i * 2];
        hits[kept * 2 + 1] = hits[i * 2 + 1];
        kept++;
      }
    }
    return kept;
  }

  /** The text with the union of the hit ranges masked; overlapping ranges become one mask. */
  private static String masked(String text, int[] hits, int hitCount) {
    long[] ranges = new long[hitCount]; // start in the high half, end in the low half: sorts by start
    for (int i = 0; i < hitCount; i++) {
      ranges[i] = ((long) hits[i * 2] << 32) | hits[i * 2 + 1];
    }
    Arrays.sort(ranges);
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    int i = 0;
    while (i < hitCount) {
      int start = (int) (ranges[i] >>> 32);
      int end = (int) ranges[i];
      i++;
      while (i < hitCount && (int) (ranges[i] >>> 32) < end) { // overlaps: extend
        end = Math.max(end, (int) ranges[i]);
        i++;
      }
      out.append(text, copied, start).append(Secrets.MASK);
      copied = end;
    }
    return out.append(text, copied, text.length()).toString();
  }

  @Override
  public String toString() {
    return "Masker[forms=" + formCount + "]";
  }

  private static int pair(char a, char b) {
    return ((a << 7) ^ b) & 0xFFFF;
  }

  private static void addForms(String value, Set<String> into) {
    if (value.length() < MIN_LENGTH) {
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    List<String> forms = new ArrayList<>();
    forms.add(value);
    String base64 = Base64.getEncoder().encodeToString(bytes);
    forms.add(base64);
    forms.add(stripPadding(base64));
    String urlBase64 = Base64.getUrlEncoder().encodeToString(bytes);
    forms.add(urlBase64);
    forms.add(stripPadding(urlBase64));
    String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    forms.add(urlEncoded);
    forms.add(urlEncoded.replace("+", "%20"));
    String json = new String(JsonStringEncoder.getInstance().quoteAsString(value));
    forms.add(json);
    forms.add(asciiOnly(json));
    for (String form : forms) {
      if (form.length() >= MIN_LENGTH) {
        into.add(form);
      }
    }
  }

  /** JSON-escaped text with every non-ASCII character as {@code \\uXXXX}, as some encoders write it. */
  private static String asciiOnly(String json) {
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < 128) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  private static String stripPadding(String base64) {
    int end = base64.length();
    while (end > 0 && base64.charAt(end - 1) == '=') {
      end--;
    }
    return base64.substring(0, end);
  }
}
