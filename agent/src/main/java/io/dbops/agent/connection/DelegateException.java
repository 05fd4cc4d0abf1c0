package io.dbops.agent.connection;

/**
 * Why a connection attempt or session ended. The reconnect loop decides by type, never by message:
 * {@link Retryable} reconnects with backoff; {@link Fatal} needs an operator (a refused token), so
 * it is logged once at ERROR and retried only at the slowest pace.
 */
sealed abstract class DelegateException extends Exception
    permits DelegateException.Retryable, DelegateException.Fatal {
  private static final long serialVersionUID = 1L;

  DelegateException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A network blip, a closed socket, a restarting control plane. */
  static final class Retryable extends DelegateException {
    private static final long serialVersionUID = 1L;

    Retryable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The control plane refused us for a reason retrying will not fix by itself. */
  static final class Fatal extends DelegateException {
    private static final long serialVersionUID = 1L;

    Fatal(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
