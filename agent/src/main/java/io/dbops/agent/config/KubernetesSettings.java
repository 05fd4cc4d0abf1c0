package io.dbops.agent.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the kubernetes runtime. Where the Kubernetes API is comes from the Fabric8 client's
 * usual sources (in-cluster service account, {@code KUBECONFIG}, {@code KUBERNETES_MASTER}).
 *
 * @param namespace namespace of build pods and their Secrets ({@code DBOPS_KUBERNETES_NAMESPACE};
 *     default: the delegate's own namespace, else "default")
 * @param podImage image of build pods whose task names none ({@code DBOPS_POD_IMAGE}), or null
 * @param serviceAccount service account of build pods whose task names none ({@code
 *     DBOPS_KUBERNETES_SERVICE_ACCOUNT}), or null for the namespace's default
 * @param stepSettings step runtime settings for the step containers of build pods: every {@code
 *     DBOPS_STEP_*} variable of the delegate but {@code DBOPS_STEP_PORT} (the pod's layout sets it),
 *     for example {@code DBOPS_STEP_DURABILITY}; the step runtime validates them
 */
public record KubernetesSettings(String namespace, String podImage, String serviceAccount,
    Map<String, String> stepSettings) {
  /** The prefix of the step runtime's settings (step-runtime/README.md). */
  public static final String STEP_SETTING_PREFIX = "DBOPS_STEP_";
  /** Where a pod's service account token mount says which namespace the pod runs in. */
  public static final Path OWN_NAMESPACE_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  private static final java.util.regex.Pattern DNS_LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  public static final KubernetesSettings DEFAULT = new KubernetesSettings(null, null, null);

  public KubernetesSettings(String namespace, String podImage, String serviceAccount) {
    this(namespace, podImage, serviceAccount, Map.of());
  }

  public KubernetesSettings {
    stepSettings = stepSettings == null ? Map.of() : Map.copyOf(stepSettings);
    namespace = namespace == null || namespace.isBlank() ? "default" : namespace.trim();
    podImage = blankToNull(podImage) == null ? null : podImage.trim();
    serviceAccount = blankToNull(serviceAccount) == null ? null : serviceAccount.trim();
  }

  /** The delegate's {@code DBOPS_STEP_*} variables that build pods' step containers get. */
  public static Map<String, String> stepSettings(Map<String, String> env) {
    Map<String, String> settings = new java.util.TreeMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith(STEP_SETTING_PREFIX) && !name.equals("DBOPS_STEP_PORT") && value != null) {
        settings.put(name, value);
      }
    });
    return settings;
  }

  /** The namespace in {@code file} (a pod's service account mount), or null when there is none. */
  public static String ownNamespace(Path file) {
    try {
      return Files.isReadable(file) ? blankToNull(Files.readString(file).trim()) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!DNS_LABEL.matcher(namespace).matches()) {
      problems.add("DBOPS_KUBERNETES_NAMESPACE must be a Kubernetes namespace name (lower-case letters, digits"
          + " and '-', at most 63), got '" + namespace + "'");
    }
    if (serviceAccount != null && !DNS_SUBDOMAIN.matcher(serviceAccount).matches()) {
      problems.add("DBOPS_KUBERNETES_SERVICE_ACCOUNT must be a service account name (lower-case letters,"
          + " digits, '-' and '.'), got '" + serviceAccount + "'");
    }
    if (podImage != null && podImage.chars().anyMatch(Character::isWhitespace)) {
      problems.add("DBOPS_POD_IMAGE must be an image reference without spaces, got '" + podImage + "'");
    }
    return problems;
  }


  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
