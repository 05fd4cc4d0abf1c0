package io.dbops.step.liquibase;

import liquibase.AbstractExtensibleObject;
import liquibase.ui.InputHandler;
import liquibase.ui.UIService;

/**
 * Liquibase's user-facing messages (update summaries, warnings) go to the step's log stream instead
 * of stdout. Those that repeat what the step says itself are dropped ({@link #repeats}). Never
 * prompts: a step container has no terminal.
 */
final class ForwardingUiService extends AbstractExtensibleObject implements UIService {
  private final MaskingLog log;

  ForwardingUiService(MaskingLog log) {
    this.log = log;
  }

  @Override
  public int getPriority() {
    return PRIORITY_SPECIALIZED;
  }

  /**
   * Liquibase's lines that repeat the step's own: "Running Changeset: X" (the step says "Applying
   * changeset X"), "Successfully tagged ..." (the step says "Recorded tag T"), and the exception
   * details block printed before a failure (the step reports the failure once, as its ERROR line).
   */
  static boolean repeats(String message) {
    return message == null || message.startsWith("Running Changeset: ") || message.startsWith("Successfully tagged ")
        || message.startsWith("ERROR: Exception ");
  }

  @Override
  public void sendMessage(String message) {
    if (!repeats(message)) {
      log.info(message);
    }
  }

  @Override
  public void sendErrorMessage(String message) {
    // WARN, not ERROR: the step reports its failure once, as an ERROR line with the summary.
    if (!repeats(message)) {
      log.warn(message);
    }
  }

  @Override
  public void sendErrorMessage(String message, Throwable exception) {
    sendErrorMessage(message);
  }

  @Override
  public <T> T prompt(String prompt, T valueIfNoEntry, InputHandler<T> inputHandler, Class<T> type) {
    return valueIfNoEntry;
  }

  @Override
  public void setAllowPrompt(boolean allowPrompt) {
    // prompting is never allowed
  }

  @Override
  public boolean getAllowPrompt() {
    return false;
  }
}
