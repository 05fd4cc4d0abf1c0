package io.dbops.step.guard;

import java.util.Locale;

/**
 * What a changelog may do beyond the database only when the delegate operator allows it in
 * {@value #SETTING} (contract E). Default: none of them.
 */
public enum GuardedChangeType {
  /** Liquibase's {@code executeCommand}: runs a program on the step host. */
  EXECUTE_COMMAND("executeCommand"),
  /** {@code customChange} (and {@code customPrecondition}): runs a Java class in the step runtime. */
  CUSTOM_CHANGE("customChange"),
  /** SQL that reads or writes files of the database host (FILE_WRITE, COPY ... TO, INTO OUTFILE, ...). */
  SQL_FILE_ACCESS("sqlFileAccess");

  /** The delegate setting that allows them, a comma list of {@link #settingName()}s. */
  public static final String SETTING = "DBOPS_STEP_ALLOW_CHANGE_TYPES";

  private final String settingName;

  GuardedChangeType(String settingName) {
    this.settingName = settingName;
  }

  /** The name used in {@value #SETTING}, for example {@code executeCommand}. */
  public String settingName() {
    return settingName;
  }

  /** The type named {@code name} (case-insensitive). */
  public static GuardedChangeType parse(String name) {
    for (GuardedChangeType type : values()) {
      if (type.settingName.toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown change type '" + name + "'; allowed values: executeCommand, "
        + "customChange, sqlFileAccess");
  }

  /**
   * The refusal of this type in {@code subject} ("changeset f.xml::3::alice"): names the rule and the setting that allows it.
   *
   * @param what what the changeset does, for example "executeCommand" or "SQL that writes host files (FILE_WRITE)"
   */
  String refusal(String subject, String what) {
    return subject + " uses " + what + ", which this delegate does not allow (rule: change types;"
        + " to allow it set " + SETTING + "=" + settingName + " on the delegate)";
  }
}
