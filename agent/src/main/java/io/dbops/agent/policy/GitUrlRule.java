package io.dbops.agent.policy;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Rule "git URLs": the repository of a clone step must match a glob of {@code
 * DBOPS_ALLOW_GIT_URLS} ({@link Glob#url}). A {@code file:} or {@code http:} URL (and a plain local
 * path, which git treats as {@code file:}) matches only an entry that starts with that scheme, so
 * {@code *} entries never open local repositories or unencrypted transports by accident. URLs
 * with a password or {@code ..} segments, and anything but {@code scheme://}, {@code user@host:path}
 * and absolute paths (git's {@code ext::} transport runs commands) are refused whatever the setting. Thread-safe.
 */
final class GitUrlRule {
  static final String SETTING = "DBOPS_ALLOW_GIT_URLS";
  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*");
  private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.*");

  private final List<Glob> globs;

  GitUrlRule(List<String> globs) {
    this.globs = globs.stream().map(Glob::url).toList();
  }

  void check(String url) throws PolicyRefusal {
    if (url == null || url.isBlank()) {
      throw new PolicyRefusal("The clone step names no repository URL");
    }
    String what = "Git repository " + url;
    if (url.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw PolicyRefusal.never("A git repository URL with control characters", "git URLs", "write a plain URL");
    }
    String scheme = scheme(url);
    if (scheme == null) {
      throw PolicyRefusal.never(what, "git URLs", "only scheme://... URLs, user@host:path and absolute paths"
          + " are cloned");
    }
    if (List.of(url.split("[/?#]")).contains("..")) {
      throw PolicyRefusal.never(what, "git URLs", "'..' segments are refused");
    }
    if (url.matches("[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@.*")) {
      throw PolicyRefusal.never("A git repository URL with a password", "git URLs",
          "give the password through the clone step's passwordEnv");
    }
    for (Glob glob : globs) {
      boolean schemeNamed = glob.text().toLowerCase(Locale.ROOT).startsWith(scheme + ":");
      if ((scheme.equals("file") || scheme.equals("http")) && !schemeNamed) {
        continue;
      }
      if (glob.matches(url)) {
        return;
      }
    }
    throw PolicyRefusal.refused(what, "git URLs", "a glob matching it (for example " + suggestion(url) + ")",
        SETTING);
  }

  /** The scheme in lower case; "file" for an absolute path, "ssh" for user@host:path; else null. */
  private static String scheme(String url) {
    var m = SCHEME.matcher(url);
    if (m.matches()) {
      return m.group(1).toLowerCase(Locale.ROOT);
    }
    if (url.startsWith("file:")) {
      return "file";
    }
    if (url.startsWith("/")) {
      return "file";
    }
    if (SCP_LIKE.matcher(url).matches()) {
      return "ssh";
    }
    return null;
  }

  private static String suggestion(String url) {
    int slash = url.lastIndexOf('/');
    return slash > 0 && slash < url.length() - 1 ? url.substring(0, slash + 1) + "*" : url;
  }
}
