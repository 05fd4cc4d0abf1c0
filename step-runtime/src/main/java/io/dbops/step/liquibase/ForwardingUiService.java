package io.dbops.step.liquibase;

import liquibase.AbstractExtensibleObject;
import liquibase.ui.InputHandler;
import liquibase.ui.UIService;

/**
 * Liquibase's user-facing messages ("Running Changeset", update summaries) go to the step's log
 * stream instead of stdout. Never prompts: a step container has no terminal.
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

  @Override
  public void sendMessage(String message) {
    log.info(message);
  }

  @Override
  public void sendErrorMessage(String message) {
    // WARN, not ERROR: the step reports its failure once, as an ERROR line with the summary.
    log.warn(message);
  }

  @Override
  public void sendErrorMessage(String message, Throwable exception) {
    log.warn(message);
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
