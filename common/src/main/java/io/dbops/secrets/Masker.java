package io.dbops.secrets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.dbops.support.Secrets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Replaces every known form of a task's secret values in a line of text with {@link
 * Secrets#MASK}: the exact value; each line of a multi-line value; its base64 (standard and
 * URL-safe, with and without padding), URL-encoded and JSON-escaped forms. Longer forms are
 * replaced first, so a value that contains another is masked whole.
 *
 * <p>Values (and lines of values) shorter than {@link #MIN_LENGTH} characters are not masked:
 * masking "a" or "42" would garble ordinary text and hide nothing.
 *
 * <p>Immutable and thread-safe; use it as a log shipper's line filter. Text split across writes
 * must be joined into lines before masking (see {@link MaskingLineSplitter}).
 */
public final class Masker implements UnaryOperator<String> {
  public static final int MIN_LENGTH = 3;
  public static final Masker NONE = new Masker(List.of());

  private final List<String> forms;

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
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.forms = List.copyOf(sorted);
  }

  /** How many distinct forms are masked (for metrics and tests). */
  public int formCount() {
    return forms.size();
  }

  @Override
  public String apply(String text) {
    if (text == null || forms.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String form : forms) {
      if (masked.contains(form)) {
        masked = masked.replace(form, Secrets.MASK);
      }
    }
    return masked;
  }

  private static void addForms(String value, Set<String> into) {
    if (value.length() < MIN_LENGTH) {
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    into.add(value);
    String base64 = Base64.getEncoder().encodeToString(bytes);
    into.add(base64);
    into.add(stripPadding(base64));
    String urlBase64 = Base64.getUrlEncoder().encodeToString(bytes);
    into.add(urlBase64);
    into.add(stripPadding(urlBase64));
    into.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
    into.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
    into.add(new String(JsonStringEncoder.getInstance().quoteAsString(value)));
    into.removeIf(form -> form.length() < MIN_LENGTH);
  }

  private static String stripPadding(String base64) {
    int end = base64.length();
    while (end > 0 && base64.charAt(end - 1) == '=') {
      end--;
    }
    return base64.substring(0, end);
  }
}
