package io.dbops.controlplane.executions;

import io.dbops.config.EnvReader;
import java.time.Duration;

/**
 * How long a stage with {@code onFailure: pause} waits for an operator's {@code dbops resume}
 * before the execution is aborted ({@code DBOPS_PAUSE_TIMEOUT_SECONDS}, default 3600, 60 to
 * 604800). The pause also ends a minute before the build pod's own deadline (the stage timeout).
 */
public record PauseSettings(Duration timeout) {
  public static final int DEFAULT_SECONDS = 3600;
  public static final PauseSettings DEFAULT = new PauseSettings(Duration.ofSeconds(DEFAULT_SECONDS));

  public PauseSettings {
    timeout = timeout == null ? Duration.ofSeconds(DEFAULT_SECONDS) : timeout;
  }

  /** Reads {@code DBOPS_PAUSE_TIMEOUT_SECONDS}; a problem goes to the reader's list. */
  public static PauseSettings fromEnvironment(EnvReader r) {
    return new PauseSettings(Duration.ofSeconds(
        r.integer("DBOPS_PAUSE_TIMEOUT_SECONDS", DEFAULT_SECONDS, 60, 604_800)));
  }
}
