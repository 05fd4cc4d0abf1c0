package io.dbops.step.git;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;

/**
 * Turns JGit's exception chains into one sentence an operator can act on: repository not found,
 * authentication failed, host unreachable, or JGit's own message. Messages name the URL with its
 * user part masked and never the password.
 */
final class CloneFailures {
  private CloneFailures() {}

  static CloneFailure describe(Exception failure, String urlForLog, GitCredentials credentials) {
    String chain = messages(failure).toLowerCase(Locale.ROOT);
    if (has(failure, UnknownHostException.class) || has(failure, ConnectException.class)
        || has(failure, SocketTimeoutException.class)) {
      return new CloneFailure("Cannot reach the git server of " + urlForLog + ": " + rootMessage(failure)
          + ". Check the host name and that the build pod may connect to it.", failure);
    }
    if (chain.contains("not authorized") || chain.contains("authentication is required")
        || chain.contains("authentication not supported") || chain.contains(" 401") || chain.contains(" 403")
        || chain.contains("forbidden")) {
      return new CloneFailure(credentials.anonymous()
          ? "Authentication required by " + urlForLog + ": set the password or access token in "
              + credentials.passwordSource() + " (and the user name in " + GitCredentials.USERNAME_ENV
              + " or the username option) in the step's environment."
          : "Authentication failed for " + urlForLog + " " + credentials.describe()
              + ": the server refused the credentials (or they may not read this repository). Check the user name"
              + " and the password or token in " + credentials.passwordSource() + ".", failure);
    }
    if (has(failure, NoRemoteRepositoryException.class) || chain.contains("repository not found")
        || chain.contains("not found")) {
      return new CloneFailure("Repository " + urlForLog + " not found" + (credentials.anonymous()
          ? " (a private repository looks missing without credentials: set " + credentials.passwordSource() + ")"
          : " or not visible to user " + credentials.username()) + ". Check the URL.", failure);
    }
    return new CloneFailure("Clone of " + urlForLog + " failed: " + rootMessage(failure), failure);
  }

  private static boolean has(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String messages(Throwable failure) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      sb.append(' ').append(t.getMessage());
    }
    return sb.toString();
  }

  /** The innermost non-empty message, masked, on one line. */
  private static String rootMessage(Throwable failure) {
    String best = failure.getClass().getSimpleName();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        best = t.getMessage();
      }
    }
    return GitUrls.forLog(best.strip().replaceAll("\\s*\\R\\s*", " "));
  }
}
