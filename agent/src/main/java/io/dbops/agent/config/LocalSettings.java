package io.dbops.agent.config;

import java.util.List;
import java.util.Map;

/**
 * Settings of the local runtime.
 *
 * @param podProcessCommand command prefix that starts one pod container process; the role
 *     ("lite-engine" or "step-runtime") is appended. No env var: the CLI sets it.
 * @param maxPods most local pods at once ({@code DBOPS_LOCAL_MAX_PODS}, default 4); an init task
 *     beyond it fails at once, naming the setting
 * @param podJavaOpts JVM options of pod processes ({@code DBOPS_POD_JAVA_OPTS}), or null for the
 *     bounded default heaps ({@value #LITE_ENGINE_JAVA_OPTS} for the lite engine, {@value
 *     #STEP_RUNTIME_JAVA_OPTS} for step runtimes)
 * @param stepSettings the delegate's {@code DBOPS_STEP_*} variables but {@code DBOPS_STEP_PORT},
 *     passed to step processes (also given to the kubernetes runtime's step containers)
 */
public record LocalSettings(List<String> podProcessCommand, int maxPods, String podJavaOpts,
    Map<String, String> stepSettings) {
  public static final int DEFAULT_MAX_PODS = 4;
  /** The lite engine forwards calls and ships lines: a small heap, small stacks, C1 only. */
  public static final String LITE_ENGINE_JAVA_OPTS =
      "-Xmx96m -Xss256k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m";
  /** The step runtime runs Liquibase: C2 kept, as it pays from a few hundred changesets on. */
  public static final String STEP_RUNTIME_JAVA_OPTS = "-Xmx256m -Xss512k";
  public static final LocalSettings DEFAULT = new LocalSettings(null, DEFAULT_MAX_PODS, null, null);

  public LocalSettings {
    podProcessCommand = podProcessCommand == null ? List.of() : List.copyOf(podProcessCommand);
    podJavaOpts = podJavaOpts == null || podJavaOpts.isBlank() ? null : podJavaOpts.trim();
    stepSettings = stepSettings == null ? Map.of() : Map.copyOf(stepSettings);
  }

  /** The JVM options of a pod process of {@code role} ("lite-engine" or "step-runtime"). */
  public String javaOpts(String role) {
    if (podJavaOpts != null) {
      return podJavaOpts;
    }
    return "lite-engine".equals(role) ? LITE_ENGINE_JAVA_OPTS : STEP_RUNTIME_JAVA_OPTS;
  }
}
