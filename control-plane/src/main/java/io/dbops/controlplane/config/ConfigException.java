package io.dbops.controlplane.config;

/**
 * The control plane's configuration is invalid or does not match its stored state (for example a
 * master key that does not open the stored secrets). The launcher prints the message and exits
 * 78 ({@code EX_CONFIG}). Messages name the setting and never hold a secret value.
 */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }
}
