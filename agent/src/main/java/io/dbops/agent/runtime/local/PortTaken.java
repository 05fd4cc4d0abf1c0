package io.dbops.agent.runtime.local;

/** A container exited because its port was taken between choosing it and binding it. */
final class PortTaken extends Exception {
  private static final long serialVersionUID = 1L;

  PortTaken(String message) {
    super(message);
  }
}
