package io.dbops.controlplane;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Captures every log event of the process (io.dbops at DEBUG) as text, traces included. */
final class RootLogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger dbops = (Logger) LoggerFactory.getLogger("io.dbops");
  private final Level previous = dbops.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  RootLogCapture() {
    appender.start();
    root.addAppender(appender);
    dbops.setLevel(Level.DEBUG);
  }

  /** Every event so far: message, arguments formatted, and stack traces. */
  String text() {
    StringBuilder b = new StringBuilder();
    synchronized (appender) {
      for (ILoggingEvent e : appender.list) {
        b.append(e.getLevel()).append(' ').append(e.getFormattedMessage()).append('\n');
        if (e.getThrowableProxy() != null) {
          b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
        }
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    dbops.setLevel(previous);
  }
}
