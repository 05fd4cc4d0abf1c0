package io.dbops.step.liquibase;

import io.dbops.support.Secrets;

/** Masks the step's password (and URL passwords) in every line, then splits multi-line text. */
final class MaskingLog implements StepLog {
  private final StepLog delegate;
  private final String password;

  MaskingLog(StepLog delegate, String password) {
    this.delegate = delegate;
    this.password = password;
  }

  @Override
  public void line(Level level, String text) {
    if (text == null) {
      return;
    }
    for (String line : mask(text).split("\\R")) {
      if (!line.isBlank()) {
        delegate.line(level, line.stripTrailing());
      }
    }
  }

  @Override
  public void progress(int started, int total, String changeset) {
    delegate.progress(started, total, changeset == null ? "" : mask(changeset));
  }

  void info(String text) {
    line(Level.INFO, text);
  }

  void warn(String text) {
    line(Level.WARN, text);
  }

  void error(String text) {
    line(Level.ERROR, text);
  }

  /** Text safe to send to the client: the password and URL passwords are masked. */
  String mask(String text) {
    return Secrets.maskUrl(Secrets.maskValue(text, password));
  }
}
