package io.dbops.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures the process's logging once, at start: readable text on stderr by default, one JSON
 * object per line with {@code DBOPS_LOG_FORMAT=json}, level from {@code DBOPS_LOG_LEVEL}. MDC keys
 * (delegate, task and execution ids) appear in both forms. Libraries are kept at WARN.
 */
public final class LoggingSetup {
  private static final String[] QUIET_LIBRARIES = {
    "liquibase", "io.grpc", "io.netty", "org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari",
    "okhttp3", "org.h2"
  };

  private LoggingSetup() {}

  /** Settings read from the environment; invalid values are reported by {@link #problems}. */
  public record Settings(String format, String level) {
    public static Settings fromEnvironment(Map<String, String> env) {
      return new Settings(
          env.getOrDefault("DBOPS_LOG_FORMAT", "text").toLowerCase(Locale.ROOT),
          env.getOrDefault("DBOPS_LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT));
    }

    /** These settings with {@code level} unless DBOPS_LOG_LEVEL chose one. */
    public Settings withDefaultLevel(String level) {
      return System.getenv("DBOPS_LOG_LEVEL") == null ? new Settings(format, level) : this;
    }

    public java.util.List<String> problems() {
      java.util.List<String> problems = new java.util.ArrayList<>();
      if (!format.equals("text") && !format.equals("json")) {
        problems.add("DBOPS_LOG_FORMAT must be 'text' or 'json', not '" + format + "'");
      }
      if (!java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(level)) {
        problems.add("DBOPS_LOG_LEVEL must be TRACE, DEBUG, INFO, WARN or ERROR, not '" + level + "'");
      }
      return problems;
    }
  }

  /** Logs to stderr. */
  public static void toConsole(Settings settings) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setTarget("System.err");
    install(settings, appender);
  }

  /** Logs to a file, for commands whose console belongs to the user (quickstart, run). */
  public static void toFile(Settings settings, Path file) {
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setFile(file.toString());
    appender.setAppend(true);
    install(settings, appender);
  }

  private static void install(Settings settings, OutputStreamAppender<ILoggingEvent> appender) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    appender.setContext(context);
    appender.setName("main");
    appender.setEncoder(encoder(settings, context));
    appender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(settings.level(), Level.INFO));
    root.addAppender(appender);
    for (String library : QUIET_LIBRARIES) {
      context.getLogger(library).setLevel(Level.WARN);
    }
    // Liquibase logs through java.util.logging.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
  }

  private static Encoder<ILoggingEvent> encoder(Settings settings, LoggerContext context) {
    if (settings.format().equals("json")) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%kvp%n");
    text.start();
    return text;
  }
}
