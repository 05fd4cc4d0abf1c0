package io.dbops.support;

import java.util.regex.Pattern;

/** Pure functions that keep secrets out of text meant for people. */
public final class Secrets {
  /** What a masked value is replaced with. */
  public static final String MASK = "**************";

  /** A password property's value ends at the next property, or at whitespace (where the URL ends). */
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)((?:password|pwd)=)[^&;\\s]*");
  /** The scheme of a JDBC URL: {@code jdbc:postgresql:}, {@code jdbc:h2:file:}, {@code jdbc:oracle:thin:}. */
  private static final Pattern JDBC_SCHEME = Pattern.compile("(?i)\\bjdbc:(?:[a-z][a-z0-9+.-]*:)+");
  private static final Pattern URL_USERINFO = Pattern.compile("(://[^/:@]+:)[^@/]+@");

  private Secrets() {}

  /** A JDBC or HTTP URL with any password parameter or userinfo password replaced by the mask. */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = URL_PASSWORD.matcher(url).replaceAll("$1" + MASK);
    return URL_USERINFO.matcher(masked).replaceAll("$1" + MASK + "@");
  }

  /**
   * {@code text} with every occurrence of {@code secret} replaced by the mask. Values shorter than
   * three characters are left alone: masking them would garble ordinary text. So are occurrences
   * inside a JDBC URL's scheme ({@link #jdbcSchemes}), as in {@code Masker}.
   */
  public static String maskValue(String text, String secret) {
    if (text == null || secret == null || secret.length() < 3 || !text.contains(secret)) {
      return text;
    }
    int[] schemes = jdbcSchemes(text);
    if (schemes.length == 0) {
      return text.replace(secret, MASK);
    }
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
      if (at >= copied && !within(schemes, at, at + secret.length())) {
        out.append(text, copied, at).append(MASK);
        copied = at + secret.length();
      }
    }
    return out.append(text, copied, text.length()).toString();
  }

  /**
   * The ranges of {@code text} that are JDBC URL schemes ({@code jdbc:postgresql:}, {@code
   * jdbc:h2:file:}), as start/end pairs; empty when there is none. A scheme names a driver, never
   * a secret, so maskers leave what lies wholly inside one alone.
   */
  public static int[] jdbcSchemes(String text) {
    if (text == null || text.length() < 5) {
      return new int[0];
    }
    java.util.regex.Matcher m = JDBC_SCHEME.matcher(text);
    int[] ranges = new int[0];
    while (m.find()) {
      ranges = java.util.Arrays.copyOf(ranges, ranges.length + 2);
      ranges[ranges.length - 2] = m.start();
      ranges[ranges.length - 1] = m.end();
    }
    return ranges;
  }

  /** Whether {@code [start, end)} lies wholly inside one of {@code ranges} (start/end pairs). */
  public static boolean within(int[] ranges, int start, int end) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (start >= ranges[i] && end <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }
}
