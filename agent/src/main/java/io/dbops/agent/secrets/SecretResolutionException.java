package io.dbops.agent.secrets;

/** A secret of a task could not be resolved; the message names sources, never values. */
public final class SecretResolutionException extends Exception {
  public SecretResolutionException(String message) {
    super(message);
  }
}
