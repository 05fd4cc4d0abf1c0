package io.dbops.controlplane.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the master keys come from: {@code DBOPS_MASTER_KEY} or {@code DBOPS_MASTER_KEY_FILE} (the
 * current key), and {@code DBOPS_MASTER_KEY_PREVIOUS} or {@code DBOPS_MASTER_KEY_PREVIOUS_FILE}
 * (the key being rotated away from, see docs/secrets.md).
 *
 * @param current the configured key; null means the key file generated in the data directory
 *     ({@link MasterKeyFile})
 * @param previous the previous key during a rotation; null otherwise
 */
public record MasterKeySettings(MasterKey current, MasterKey previous) {
  /** No key configured: the control plane generates one in its data directory. */
  public static final MasterKeySettings GENERATED = new MasterKeySettings(null, null);

  /** Reads the four variables; adds one problem per invalid setting (never the key) to {@code problems}. */
  public static MasterKeySettings fromEnvironment(Map<String, String> env, List<String> problems) {
    MasterKey current = read(env, "DBOPS_MASTER_KEY", "DBOPS_MASTER_KEY_FILE", problems);
    MasterKey previous = read(env, "DBOPS_MASTER_KEY_PREVIOUS", "DBOPS_MASTER_KEY_PREVIOUS_FILE", problems);
    if (previous != null && current == null && problems.isEmpty()) {
      problems.add("DBOPS_MASTER_KEY_PREVIOUS is set without DBOPS_MASTER_KEY: set the new key in"
          + " DBOPS_MASTER_KEY (or DBOPS_MASTER_KEY_FILE) to rotate to it");
    }
    return new MasterKeySettings(current, previous);
  }

  private static MasterKey read(Map<String, String> env, String variable, String fileVariable,
      List<String> problems) {
    String value = blankToNull(env.get(variable));
    String file = blankToNull(env.get(fileVariable));
    if (value != null && file != null) {
      problems.add("Set only one of " + variable + " and " + fileVariable);
      return null;
    }
    try {
      if (value != null) {
        return MasterKey.parse(value, variable);
      }
      if (file != null) {
        String origin = fileVariable + " (" + file + ")";
        String text;
        try {
          text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
          problems.add(origin + " cannot be read: " + e.getClass().getSimpleName()
              + "; it must name a file holding the base64 of 32 random bytes");
          return null;
        }
        return MasterKey.parse(text, origin);
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "MasterKeySettings[current=" + (current == null ? "generated in the data directory"
        : current.origin()) + ", previous=" + (previous == null ? "none" : previous.origin()) + "]";
  }
}
