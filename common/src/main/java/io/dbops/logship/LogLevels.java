package io.dbops.logship;

import java.util.Locale;

/** The four levels a log line may have, and the one-byte codes the spool and chunk files use. */
public final class LogLevels {
  public static final String DEBUG = "DEBUG";
  public static final String INFO = "INFO";
  public static final String WARN = "WARN";
  public static final String ERROR = "ERROR";

  private LogLevels() {}

  /** DEBUG, INFO, WARN or ERROR for any spelling; null, blank and unknown levels become INFO. */
  public static String normalize(String level) {
    if (level == null) {
      return INFO;
    }
    switch (level) { // the common case without allocating
      case DEBUG: case INFO: case WARN: case ERROR:
        return level;
      default:
        break;
    }
    return switch (level.trim().toUpperCase(Locale.ROOT)) {
      case "TRACE", "DEBUG", "FINE", "FINER", "FINEST" -> DEBUG;
      case "WARN", "WARNING" -> WARN;
      case "ERROR", "FATAL", "SEVERE" -> ERROR;
      default -> INFO;
    };
  }

  /** 0 DEBUG, 1 INFO, 2 WARN, 3 ERROR. */
  public static byte code(String level) {
    return switch (normalize(level)) {
      case DEBUG -> 0;
      case WARN -> 2;
      case ERROR -> 3;
      default -> 1;
    };
  }

  /** The level of a {@link #code}; unknown codes are INFO. */
  public static String of(int code) {
    return switch (code) {
      case 0 -> DEBUG;
      case 2 -> WARN;
      case 3 -> ERROR;
      default -> INFO;
    };
  }
}
