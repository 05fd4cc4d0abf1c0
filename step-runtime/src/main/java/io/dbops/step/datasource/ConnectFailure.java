package io.dbops.step.datasource;

/**
 * A database connection could not be opened. The message is one actionable sentence naming the
 * host, port and user; it never contains the password (the caller still masks it as a second line
 * of defence, because driver messages are outside our control).
 */
public final class ConnectFailure extends Exception {
  ConnectFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
