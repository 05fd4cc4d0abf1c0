package io.dbops.cli.client;

/** The control plane could not be reached at all. */
public final class ControlPlaneUnreachableException extends RuntimeException {
  public ControlPlaneUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
