package io.dbops.support;

import java.util.regex.Pattern;

/** Pure functions that keep secrets out of text meant for people. */
public final class Secrets {
  /** What a masked value is replaced with. */
  public static final String MASK = "**************";

  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)((?:password|pwd)=)[^&;]*");
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
   * three characters are left alone: masking them would garble ordinary text.
   */
  public static String maskValue(String text, String secret) {
    if (text == null || secret == null || secret.length() < 3) {
      return text;
    }
    return text.replace(secret, MASK);
  }
}
