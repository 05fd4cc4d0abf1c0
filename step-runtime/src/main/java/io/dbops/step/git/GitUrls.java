package io.dbops.step.git;

import io.dbops.support.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks repository URLs and renders them for logs. Pure functions. */
public final class GitUrls {
  private static final Set<String> SCHEMES = Set.of("https", "http", "git", "file");
  // "ghp_token@github.com": a user part without a password is often a token itself.
  private static final Pattern LONE_USERINFO = Pattern.compile("(://)[^/:@]+@");
  private static final Pattern SCP_LIKE = Pattern.compile("^[\\w.-]+@[\\w.-]+:.*");

  private GitUrls() {}

  /** The URL with its password, and a user part that may be a token, replaced by the mask. */
  public static String forLog(String url) {
    if (url == null) {
      return null;
    }
    return LONE_USERINFO.matcher(Secrets.maskUrl(url)).replaceAll("$1" + Secrets.MASK + "@");
  }

  /**
   * Every problem with a repository URL given by a user, each naming {@code field}; empty when it
   * can be cloned. The messages never repeat a password.
   */
  public static List<String> problems(String field, String url) {
    List<String> problems = new ArrayList<>();
    if (url == null || url.isBlank()) {
      problems.add(field + " is required (https://, http://, git:// or file:// URL of the changelog repository)");
      return problems;
    }
    if (SCP_LIKE.matcher(url).matches() || url.toLowerCase(Locale.ROOT).startsWith("ssh://")) {
      problems.add(field + " " + forLog(url) + " is an SSH URL; SSH is not supported: use the https:// URL and"
          + " an access token in the password variable");
      return problems;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      problems.add(field + " " + forLog(url) + " is not a valid URL: " + e.getReason());
      return problems;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      problems.add(field + " " + forLog(url) + " must start with https://, http://, git:// or file://");
    }
    if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      problems.add(field + " " + forLog(url) + " contains a password; remove it and put the password or token in"
          + " the environment variable named by the password variable option (default DBOPS_GIT_PASSWORD)");
    }
    return problems;
  }
}
