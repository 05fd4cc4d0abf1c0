package io.dbops.liteengine.config;

import java.util.List;

/** Invalid lite engine configuration. The message lists every problem, each naming its env var. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(List<String> problems) {
    super("Invalid lite engine configuration: " + String.join("; ", problems));
  }
}
