package io.dbops.step.git;

/** A CLONE failure whose message is already the one actionable sentence (no secret in it). */
final class CloneFailure extends Exception {
  CloneFailure(String message) {
    super(message);
  }

  CloneFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
