package io.dbops.agent.secrets;

import java.util.regex.Pattern;

/** Names and values a process environment can carry. */
public final class EnvNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Set by the delegate for every pod; a pipeline may not set them. */
  private static final java.util.Set<String> RESERVED = java.util.Set.of("DBOPS_POD_TOKEN", "DBOPS_POD_STEP_PORTS",
      "DBOPS_LOG_SERVICE_URL", "DBOPS_BIND_ADDRESS", "DBOPS_MASK_ENV", "DBOPS_LITE_ENGINE_PORT", "DBOPS_STEP_PORT",
      "DBOPS_WORKSPACE_ROOT", "DBOPS_JAVA_OPTS", "DBOPS_LOG_FORMAT", "DBOPS_LOG_LEVEL", "JDK_JAVA_OPTIONS",
      "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_HOME", "PATH", "CLASSPATH", "DBOPS_WARM_START");

  private EnvNames() {}

  /**
   * Why a pipeline may not set variable {@code name} in a build pod, or null when it may: the
   * delegate's own pod wiring, the operator's {@code DBOPS_STEP_*} settings, and what changes which
   * program or code a container runs (JVM option variables, {@code LD_*}, {@code PATH}).
   */
  public static String reserved(String name) {
    if (RESERVED.contains(name) || name.startsWith("LD_")) {
      return "Variable " + name + " is set by the delegate or changes what a build pod runs; a pipeline may not set"
          + " it (rule: pod environment)";
    }
    if (name.startsWith("DBOPS_STEP_")) {
      return "Variable " + name + " is a step runtime setting of the delegate's operator; a pipeline may not set it"
          + " (rule: pod environment; set it on the delegate)";
    }
    return null;
  }

  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The refusal of an invalid name; control characters are shown as '?'. */
  public static String invalid(String name) {
    String shown = name == null ? "(none)" : name.replaceAll("[\\p{Cntrl}]", "?");
    return "Environment variable name '" + shown + "' cannot be carried by a process environment: use letters,"
        + " digits and '_', not starting with a digit";
  }

  /** Whether a process environment can carry {@code value} (it has no NUL character). */
  public static boolean canCarry(String value) {
    return value == null || value.indexOf('\0') < 0;
  }
}
