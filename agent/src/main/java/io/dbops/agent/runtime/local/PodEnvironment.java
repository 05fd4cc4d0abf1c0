package io.dbops.agent.runtime.local;

import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.config.LocalSettings;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodSecrets;
import io.dbops.protocol.InitStagePayload;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.support.WarmStart;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The environment of a local pod's processes (contract D): built from an EMPTY environment, with
 * only {@link #PASSED} of the delegate's variables (when it has them), the delegate's {@code
 * DBOPS_STEP_*} settings (step processes), the pod's own env and secret env, the bounded JVM
 * options ({@code JDK_JAVA_OPTIONS}), and the pod wiring: {@code DBOPS_POD_TOKEN} (every process),
 * {@code DBOPS_POD_STEP_PORTS}, {@code DBOPS_LOG_SERVICE_URL} and {@code DBOPS_LOG_SPOOL_DIR}, the
 * pod's own spool directory (lite engine). No {@code
 * DBOPS_BIND_ADDRESS}: the processes listen on loopback. Nothing else of the delegate's
 * environment (no {@code DBOPS_TOKEN}, no host credentials) reaches a pod. Immutable.
 */
final class PodEnvironment {
  /** The lite engine's log spool directory (the pod's own). */
  static final String SPOOL_DIR = "DBOPS_LOG_SPOOL_DIR";
  /** The delegate's variables a pod process gets. */
  static final List<String> PASSED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR",
      "DBOPS_JAVA_OPTS", "DBOPS_LOG_FORMAT", "DBOPS_LOG_LEVEL");
  /** Read by the {@code java} launcher of JDK 9+: how the pod's JVM options reach it. */
  static final String JVM_OPTIONS = "JDK_JAVA_OPTIONS";

  private final Map<String, String> passed;
  private final LocalSettings local;

  PodEnvironment(Function<String, String> delegateEnv, LocalSettings local) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : PASSED) {
      String value = delegateEnv.apply(name);
      if (value != null) {
        values.put(name, value);
      }
    }
    this.passed = Map.copyOf(values);
    this.local = local;
  }

  /**
   * @param spoolDir the pod's own log spool directory ({@code DBOPS_LOG_SPOOL_DIR}): a lite engine
   *     only ever finds its own pod's streams there
   */
  Map<String, String> liteEngine(PodSecrets secrets, int port, List<Integer> stepPorts, java.nio.file.Path spoolDir) {
    Map<String, String> env = new LinkedHashMap<>(passed);
    env.put(JVM_OPTIONS, local.javaOpts("lite-engine"));
    env.putAll(secrets.env());
    wiring(env, secrets);
    env.put("DBOPS_LITE_ENGINE_PORT", Integer.toString(port));
    // "none": a pod without step containers (the lite engine then forwards no step)
    env.put("DBOPS_POD_STEP_PORTS", stepPorts.isEmpty() ? "none"
        : stepPorts.stream().map(String::valueOf).collect(Collectors.joining(",")));
    env.put("DBOPS_LOG_SERVICE_URL", secrets.logServiceUrl());
    env.put(SPOOL_DIR, spoolDir.toString());
    return env;
  }

  Map<String, String> stepRuntime(InitStagePayload pod, PodSecrets secrets, int port) {
    Map<String, String> env = new LinkedHashMap<>(passed);
    env.put(JVM_OPTIONS, local.javaOpts("step-runtime"));
    env.putAll(local.stepSettings());
    env.putAll(pod.env());
    env.putAll(secrets.env());
    wiring(env, secrets);
    env.put("DBOPS_STEP_PORT", Integer.toString(port));
    return env;
  }

  /**
   * The environment a warm lite engine starts with: what every cold one of any pod gets (the
   * passed variables, its JVM options) and {@code DBOPS_WARM_START=stdin}; nothing of a stage.
   */
  Map<String, String> liteEngineWarm() {
    Map<String, String> env = new LinkedHashMap<>(passed);
    env.put(JVM_OPTIONS, local.javaOpts("lite-engine"));
    env.put(WarmStart.VARIABLE, WarmStart.STDIN);
    return Map.copyOf(env);
  }

  /** The environment a warm step runtime starts with: as {@link #liteEngineWarm}, plus the delegate's DBOPS_STEP_*. */
  Map<String, String> stepRuntimeWarm() {
    Map<String, String> env = new LinkedHashMap<>(passed);
    env.put(JVM_OPTIONS, local.javaOpts("step-runtime"));
    env.putAll(local.stepSettings());
    env.put(WarmStart.VARIABLE, WarmStart.STDIN);
    return Map.copyOf(env);
  }

  /**
   * What a binding lays over a warm process's environment so that it serves as a cold process
   * started with {@code cold} would: every variable of {@code cold} that {@code warm} lacks or has
   * with another value.
   */
  static Map<String, String> binding(Map<String, String> cold, Map<String, String> warm) {
    Map<String, String> env = new LinkedHashMap<>();
    cold.forEach((name, value) -> {
      if (!value.equals(warm.get(name)) && !WarmStart.VARIABLE.equals(name)) {
        env.put(name, value);
      }
    });
    return env;
  }

  /**
   * The first of the pod's own variables (plain or secret) that a JVM reads when it starts ({@link
   * #PASSED}: {@code TZ}, {@code LANG}, {@code HOME}, ...), or null: a warm process started before
   * the stage was known cannot honour it, so such a pod starts cold.
   */
  static String readAtJvmStart(InitStagePayload pod, PodSecrets secrets) {
    for (String name : PASSED) {
      if (pod.env().containsKey(name) || secrets.env().containsKey(name)) {
        return name;
      }
    }
    return null;
  }

  /** The pod's credential, and the names of every secret variable for the processes to mask. */
  private static void wiring(Map<String, String> env, PodSecrets secrets) {
    env.put(PodCredentials.VARIABLE, secrets.podToken());
    Set<String> masked = new LinkedHashSet<>(secrets.env().keySet());
    masked.add(PodCredentials.VARIABLE);
    env.put(MaskEnvironment.VARIABLE, MaskEnvironment.names(masked));
  }
}
