package io.dbops.agent.runtime;

/** A pod could not be started; the message is one actionable sentence for the task's error. */
public final class PodException extends Exception {
  private static final long serialVersionUID = 1L;

  public PodException(String message) {
    super(message);
  }
}
