package io.dbops.agent.config;

import java.time.Duration;
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
 * @param warmPods how many warm pods the local runtime keeps ready for the next stages ({@code
 *     DBOPS_LOCAL_WARM_PODS}, default 1; 0 = none)
 * @param podReuse how long a released pod of a stage with a reuse key is kept for the next stage
 *     with that key ({@code DBOPS_LOCAL_POD_REUSE_SECONDS}, default 60 s; zero = never reused)
 */
public record LocalSettings(List<String> podProcessCommand, int maxPods, String podJavaOpts,
    Map<String, String> stepSettings, int warmPods, Duration podReuse) {
  public static final int DEFAULT_MAX_PODS = 4;
  public static final int DEFAULT_WARM_PODS = 1;
  public static final Duration DEFAULT_POD_REUSE = Duration.ofSeconds(60);
  /** The lite engine forwards calls and ships lines: a small heap, small stacks, C1 only. */
  public static final String LITE_ENGINE_JAVA_OPTS =
      "-Xmx96m -Xss256k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m";
  /**
   * The step runtime runs Liquibase with C1 only, as the launcher's {@code step} roles do: on 2
   * CPUs C2's compilations cost more CPU than they save even over Fineract's 1,400 changesets
   * (docs/performance.md, "Fineract").
   */
  public static final String STEP_RUNTIME_JAVA_OPTS = "-Xmx256m -Xss512k -XX:TieredStopAtLevel=1";
  public static final LocalSettings DEFAULT = new LocalSettings(null, DEFAULT_MAX_PODS, null, null,
      DEFAULT_WARM_PODS, DEFAULT_POD_REUSE);

  public LocalSettings {
    podReuse = podReuse == null ? Duration.ZERO : podReuse;
    podProcessCommand = podProcessCommand == null ? List.of() : List.copyOf(podProcessCommand);
    podJavaOpts = podJavaOpts == null || podJavaOpts.isBlank() ? null : podJavaOpts.trim();
    stepSettings = stepSettings == null ? Map.of() : Map.copyOf(stepSettings);
  }

  /** Settings without warm pods or pod reuse (every pod starts cold; tests of cold pods). */
  public LocalSettings(List<String> podProcessCommand, int maxPods, String podJavaOpts,
      Map<String, String> stepSettings) {
    this(podProcessCommand, maxPods, podJavaOpts, stepSettings, 0, Duration.ZERO);
  }

  /** These settings with another pod process command. */
  public LocalSettings withPodProcessCommand(List<String> command) {
    return new LocalSettings(command, maxPods, podJavaOpts, stepSettings, warmPods, podReuse);
  }

  /** These settings with {@code warmPods} warm pods and pods reused for {@code podReuse}. */
  public LocalSettings withWarmPods(int warmPods, Duration podReuse) {
    return new LocalSettings(podProcessCommand, maxPods, podJavaOpts, stepSettings, warmPods, podReuse);
  }

  /** The JVM options of a pod process of {@code role} ("lite-engine" or "step-runtime"). */
  public String javaOpts(String role) {
    if (podJavaOpts != null) {
      return podJavaOpts;
    }
    return "lite-engine".equals(role) ? LITE_ENGINE_JAVA_OPTS : STEP_RUNTIME_JAVA_OPTS;
  }
}
