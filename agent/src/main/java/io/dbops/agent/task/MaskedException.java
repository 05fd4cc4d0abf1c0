package io.dbops.agent.task;

import io.dbops.secrets.Masker;

/**
 * A copy of an exception (and its causes) whose texts are masked, with the original stack traces:
 * what the task runner logs and reports for an unexpected exception, so that a secret quoted in an
 * exception message (a JDK message quoting an environment value, say) reaches neither the log nor
 * the control plane.
 */
final class MaskedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private MaskedException(String text, MaskedException cause) {
    super(text, cause, false, true);
  }

  /** {@code e} with every message in its cause chain masked by {@code masker}. */
  static MaskedException of(Throwable e, Masker masker) {
    return of(e, masker, 0);
  }

  private static MaskedException of(Throwable e, Masker masker, int depth) {
    MaskedException cause = e.getCause() == null || e.getCause() == e || depth > 20 ? null
        : of(e.getCause(), masker, depth + 1);
    MaskedException masked = new MaskedException(masker.apply(e.toString()), cause);
    masked.setStackTrace(e.getStackTrace());
    return masked;
  }

  /** The original's class and masked message, as its own toString would read. */
  @Override
  public String toString() {
    return getMessage();
  }
}
