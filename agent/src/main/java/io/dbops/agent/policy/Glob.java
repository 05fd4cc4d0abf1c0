package io.dbops.agent.policy;

import java.util.regex.Pattern;

/**
 * A glob of an allowlist. In a name glob {@code *} matches any run of characters; in a URL glob
 * {@code *} matches any run without {@code /}, and {@code **} any run crossing {@code /}; neither
 * matches {@code @}, {@code ?}, {@code #} or whitespace there, so a pattern cannot be stretched over
 * a user-info part or a query. Every other character matches itself.
 */
final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /** {@code *} matches any run; case-sensitive (environment variables). */
  static Glob name(String glob) {
    return new Glob(glob, Pattern.compile(regex(glob, ".*", ".*")));
  }

  /** {@code *} matches any run; case-insensitive (host and Secret names). */
  static Glob nameIgnoringCase(String glob) {
    return new Glob(glob, Pattern.compile(regex(glob, ".*", ".*"), Pattern.CASE_INSENSITIVE));
  }

  /** {@code *} stays inside one path segment, {@code **} crosses them; case-sensitive. */
  static Glob url(String glob) {
    return new Glob(glob, Pattern.compile(regex(glob, "[^/@?#\\s]*", "[^@?#\\s]*")));
  }

  boolean matches(String value) {
    return pattern.matcher(value).matches();
  }

  String text() {
    return text;
  }

  private static String regex(String glob, String star, String doubleStar) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c != '*') {
        literal.append(c);
        continue;
      }
      if (literal.length() > 0) {
        regex.append(Pattern.quote(literal.toString()));
        literal.setLength(0);
      }
      if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append(doubleStar);
        i++;
      } else {
        regex.append(star);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return regex.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
