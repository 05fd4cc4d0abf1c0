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
import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

  /**
   * Logging settings: {@code DBOPS_LOG_FORMAT} (text or json, default text) and {@code
   * DBOPS_LOG_LEVEL} (TRACE to ERROR, default INFO).
   */
  public record Settings(String format, String level) {
    private static final Set<String> FORMATS = Set.of("text", "json");
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    /**
     * @param defaultLevel the level when DBOPS_LOG_LEVEL is unset (client commands log warnings only)
     * @throws ConfigException naming each invalid variable
     */
    public static Settings fromEnvironment(Map<String, String> env, String defaultLevel) {
      EnvReader reader = new EnvReader(env);
      String format = reader.oneOf("DBOPS_LOG_FORMAT", "text", FORMATS);
      String level = reader.oneOf("DBOPS_LOG_LEVEL", defaultLevel.toLowerCase(Locale.ROOT), LEVELS);
      reader.throwIfProblems("logging");
      return new Settings(format, level.toUpperCase(Locale.ROOT));
    }

    public static Settings fromEnvironment(Map<String, String> env) {
      return fromEnvironment(env, "INFO");
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
