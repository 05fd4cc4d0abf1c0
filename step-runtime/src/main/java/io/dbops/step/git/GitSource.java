package io.dbops.step.git;

/**
 * The repository a CLONE step fetches, converted from the request at the edge. Holds no secret:
 * {@code passwordEnv} names the environment variable with the password or token. Immutable.
 *
 * @param url repository URL (https, http, git or file); never with a password in it
 * @param ref branch, tag, full ref name or commit id; empty = the remote's default branch
 * @param directory target directory, absolute or relative to the step's search path
 * @param username HTTP user name; empty = {@code DBOPS_GIT_USERNAME}, else a token user name
 * @param passwordEnv variable holding the password or token; empty = {@code DBOPS_GIT_PASSWORD}
 * @param depth commits to fetch per branch (shallow clone); 0 = full history
 */
public record GitSource(String url, String ref, String directory, String username, String passwordEnv, int depth) {
  /** No repository: what every kind but CLONE carries. */
  public static final GitSource NONE = new GitSource("", "", "", "", "", 0);

  public GitSource {
    url = nullToEmpty(url).strip();
    ref = nullToEmpty(ref).strip();
    directory = nullToEmpty(directory).strip();
    username = nullToEmpty(username);
    passwordEnv = nullToEmpty(passwordEnv).strip();
    if (depth < 0) {
      throw new IllegalArgumentException("depth must not be negative, was " + depth);
    }
  }

  @Override
  public String toString() {
    return "GitSource[url=" + GitUrls.forLog(url) + ", ref=" + ref + ", directory=" + directory + ", username="
        + username + ", passwordEnv=" + passwordEnv + ", depth=" + depth + "]";
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
