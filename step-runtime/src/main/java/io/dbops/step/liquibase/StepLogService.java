package io.dbops.step.liquibase;

import java.util.logging.Level;
import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import liquibase.util.ShowSummaryUtil;

/**
 * Liquibase's internal logging during a step: WARNING goes to the step's log stream (operators
 * should see deprecations and ignored settings), everything goes to the daemon log through SLF4J.
 * The update summary is copied too. SEVERE is neither copied to the step log nor logged above DEBUG:
 * it announces the exception the step then reports itself, once per log (the step log's ERROR line,
 * the daemon log's "ended FAILED" line).
 */
final class StepLogService extends AbstractLogService {
  private final MaskingLog stepLog;

  StepLogService(MaskingLog stepLog) {
    this.stepLog = stepLog;
  }

  @Override
  public int getPriority() {
    return PRIORITY_SPECIALIZED;
  }

  @Override
  public Logger getLog(Class clazz) {
    boolean summary = clazz == ShowSummaryUtil.class;
    org.slf4j.Logger slf4j = org.slf4j.LoggerFactory.getLogger(clazz == null ? "liquibase" : clazz.getName());
    return new AbstractLogger() {
      @Override
      public void log(Level level, String message, Throwable e) {
        if (level == Level.OFF || message == null) {
          return;
        }
        // Masking costs more than the logging itself: only for lines some logger will take.
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
          if (slf4j.isDebugEnabled()) {
            slf4j.debug(stepLog.mask(message));
          }
        } else if (value >= Level.WARNING.intValue()) {
          slf4j.warn(stepLog.mask(message));
          stepLog.warn(message);
        } else if (value >= Level.INFO.intValue()) {
          if (slf4j.isInfoEnabled()) {
            slf4j.info(stepLog.mask(message));
          }
          if (summary) {
            stepLog.info(message);
          }
        } else if (slf4j.isDebugEnabled()) {
          slf4j.debug(stepLog.mask(message));
        }
      }
    };
  }
}
