package io.dbops.controlplane.webhooks;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Branch and path filters: {@code *} matches within one path segment, {@code **} across segments
 * ({@code db/**} matches everything under {@code db/}), {@code ?} one character; everything else
 * is literal. Character classes and braces are refused so that a filter means what it reads.
 * Pure functions.
 */
public final class Globs {
  private Globs() {}

  /** Why {@code glob} is not usable, or null when it is. */
  public static String problem(String glob) {
    if (glob == null || glob.isBlank()) {
      return "is empty";
    }
    if (glob.length() > 200) {
      return "is longer than 200 characters";
    }
    for (char c : glob.toCharArray()) {
      if ("[]{}\\".indexOf(c) >= 0 || Character.isISOControl(c)) {
        return "'" + glob + "' uses '" + c + "'; only *, ** and ? are supported";
      }
    }
    if (glob.contains("***")) {
      return "'" + glob + "' has '***'; use ** to match across directories";
    }
    return null;
  }

  /** The glob as a regular expression; the glob must have no {@link #problem}. */
  public static Pattern compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          i++;
          // "**/" also matches no directory at all: db/**/x.xml matches db/x.xml
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
            i++;
            re.append("(?:.*/)?");
          } else {
            re.append(".*");
          }
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /** True when any glob matches {@code value}; true for an empty list (no filter). */
  public static boolean anyMatches(List<String> globs, String value) {
    if (globs.isEmpty()) {
      return true;
    }
    return globs.stream().anyMatch(g -> compile(g).matcher(value).matches());
  }
}
