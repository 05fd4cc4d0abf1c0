package io.dbops.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks of a stage's {@code pod:} block and of a step's {@code resources}. Pure. */
final class PodChecks {
  private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
  private static final Set<String> OPERATORS = Set.of("Exists", "Equal");
  private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUANTITY =
      Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");

  private PodChecks() {}

  static void checkPod(String where, StagePod pod, List<String> problems) {
    if (pod == null) {
      return;
    }
    String sa = pod.serviceAccount();
    if (sa != null && (sa.length() > 253 || !DNS_SUBDOMAIN.matcher(sa).matches())) {
      problems.add(where + ".serviceAccount must be a Kubernetes name (lowercase letters, digits, '-' and '.')");
    }
    if (pod.imagePullPolicy() != null && !PULL_POLICIES.contains(pod.imagePullPolicy())) {
      problems.add(where + ".imagePullPolicy must be Always, IfNotPresent or Never");
    }
    for (Map.Entry<String, String> e : pod.nodeSelector().entrySet()) {
      if (e.getKey().isBlank() || e.getValue() == null) {
        problems.add(where + ".nodeSelector needs a label name and a value in every entry");
      }
    }
    for (int i = 0; i < pod.tolerations().size(); i++) {
      StagePod.Toleration t = pod.tolerations().get(i);
      String at = where + ".tolerations[" + i + "]";
      if (t == null) {
        problems.add(at + " is empty");
        continue;
      }
      if (t.operator() != null && !OPERATORS.contains(t.operator())) {
        problems.add(at + ".operator must be Exists or Equal");
      }
      if (t.effect() != null && !EFFECTS.contains(t.effect())) {
        problems.add(at + ".effect must be NoSchedule, PreferNoSchedule or NoExecute");
      }
      if (t.tolerationSeconds() != null && (t.tolerationSeconds() < 0 || !"NoExecute".equals(t.effect()))) {
        problems.add(at + ".tolerationSeconds must be 0 or more, with effect NoExecute");
      }
    }
    for (int i = 0; i < pod.registryCredentials().size(); i++) {
      StagePod.RegistryCredential c = pod.registryCredentials().get(i);
      String at = where + ".registryCredentials[" + i + "]";
      if (c == null) {
        problems.add(at + " is empty");
        continue;
      }
      if (c.registry() == null || c.registry().isBlank()) {
        problems.add(at + ".registry is required (a host, for example registry.example.com)");
      }
      if (c.username() == null || c.username().isBlank()) {
        problems.add(at + ".username is required");
      }
      if (c.passwordFrom() == null) {
        problems.add(at + ".passwordFrom is required"); // its form is checked with every secret source
      }
    }
  }

  static void checkResources(String where, StepResources r, List<String> problems) {
    if (r == null) {
      return;
    }
    quantity(where + ".cpuRequest", r.cpuRequest(), problems);
    quantity(where + ".memoryRequest", r.memoryRequest(), problems);
    quantity(where + ".cpuLimit", r.cpuLimit(), problems);
    quantity(where + ".memoryLimit", r.memoryLimit(), problems);
  }

  private static void quantity(String where, String value, List<String> problems) {
    if (value != null && !QUANTITY.matcher(value).matches()) {
      problems.add(where + " must be a Kubernetes quantity such as 250m, 1, 512Mi or 2Gi, not '" + value + "'");
    }
  }
}
