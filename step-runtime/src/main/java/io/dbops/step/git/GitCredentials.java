package io.dbops.step.git;

import java.util.Map;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The user name and password (or token) a clone authenticates with, read only from the
 * environment. {@link #toString()} never shows the password. Immutable.
 *
 * @param password empty when the clone is anonymous
 */
record GitCredentials(String username, String password, String passwordSource) {
  /** Where the password comes from unless the request names another variable. */
  static final String DEFAULT_PASSWORD_ENV = "DBOPS_GIT_PASSWORD";
  /** Where the user name comes from unless the request gives one. */
  static final String USERNAME_ENV = "DBOPS_GIT_USERNAME";
  /**
   * The user name sent with a token when none is configured. GitHub documents it for tokens, and
   * GitHub, GitLab and Gitea accept any non-empty user name with a personal access token.
   */
  static final String TOKEN_USERNAME = "x-access-token";

  /**
   * @throws CloneFailure when the source names a password variable that is not set (the default
   *     variable may be unset: the clone is then anonymous)
   */
  static GitCredentials resolve(GitSource source, Map<String, String> environment) throws CloneFailure {
    String variable = source.passwordEnv().isEmpty() ? DEFAULT_PASSWORD_ENV : source.passwordEnv();
    String password = environment.get(variable);
    if (password == null && !source.passwordEnv().isEmpty()) {
      throw new CloneFailure("Environment variable " + variable + " (the git password variable) is not set in the"
          + " step container; set it from the repository secret, or leave the option empty for an anonymous clone.");
    }
    password = password == null ? "" : password;
    String username = !source.username().isEmpty() ? source.username()
        : environment.getOrDefault(USERNAME_ENV, "");
    if (username.isEmpty() && !password.isEmpty()) {
      username = TOKEN_USERNAME;
    }
    return new GitCredentials(username, password, variable);
  }

  boolean anonymous() {
    return password.isEmpty();
  }

  /** JGit's credentials, or null for an anonymous clone. */
  CredentialsProvider provider() {
    return anonymous() ? null : new UsernamePasswordCredentialsProvider(username, password);
  }

  /** "as user alice (password from DBOPS_GIT_PASSWORD)" or "anonymously", for log lines. */
  String describe() {
    return anonymous() ? "anonymously" : "as user " + username + " (password from " + passwordSource + ")";
  }

  @Override
  public String toString() {
    return "GitCredentials[" + describe() + "]";
  }
}
