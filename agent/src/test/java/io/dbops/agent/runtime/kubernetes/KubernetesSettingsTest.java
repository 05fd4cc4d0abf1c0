package io.dbops.agent.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.agent.config.DelegateConfig;
import io.dbops.agent.config.KubernetesSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubernetes runtime's settings as the delegate reads them from its environment, and label values. */
class KubernetesSettingsTest {
  @TempDir Path dir;

  @Test
  void readsNamespaceImageAndServiceAccountFromTheEnvironment() {
    DelegateConfig config = DelegateConfig.fromEnvironment(env(Map.of("DBOPS_RUNTIME", "kubernetes",
        "DBOPS_KUBERNETES_NAMESPACE", "dbops-builds", "DBOPS_POD_IMAGE", "mirror.example.com/dbops/dbops:0.1.0",
        "DBOPS_KUBERNETES_SERVICE_ACCOUNT", "dbops-build")), dir.resolve("none"));

    assertThat(config.kubernetes()).isEqualTo(new KubernetesSettings("dbops-builds",
        "mirror.example.com/dbops/dbops:0.1.0", "dbops-build"));
    assertThat(config.toString()).contains("dbops-builds");
  }

  @Test
  void forwardsEveryStepRuntimeSettingButThePortToStepContainers() {
    DelegateConfig config = DelegateConfig.fromEnvironment(env(Map.of("DBOPS_RUNTIME", "kubernetes",
        "DBOPS_STEP_DURABILITY", "changeset", "DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "120", "DBOPS_STEP_PORT", "1234",
        "DBOPS_STEPS", "not a step setting")), dir.resolve("none"));

    assertThat(config.kubernetes().stepSettings()).isEqualTo(Map.of("DBOPS_STEP_DURABILITY", "changeset",
        "DBOPS_STEP_LOCK_TIMEOUT_SECONDS", "120"));
  }

  @Test
  void theNamespaceDefaultsToTheDelegatesOwnThenToDefault() throws Exception {
    Path own = Files.writeString(dir.resolve("namespace"), "dbops-system\n");

    assertThat(DelegateConfig.fromEnvironment(env(Map.of()), own).kubernetes())
        .isEqualTo(new KubernetesSettings("dbops-system", null, null));
    assertThat(DelegateConfig.fromEnvironment(env(Map.of()), dir.resolve("missing")).kubernetes().namespace())
        .isEqualTo("default");
  }

  @Test
  void reportsEveryInvalidSettingByName() {
    assertThatThrownBy(() -> DelegateConfig.fromEnvironment(env(Map.of("DBOPS_KUBERNETES_NAMESPACE", "Builds_1",
        "DBOPS_KUBERNETES_SERVICE_ACCOUNT", "Not Valid", "DBOPS_POD_IMAGE", "a b")), dir.resolve("none")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "DBOPS_KUBERNETES_NAMESPACE must be a Kubernetes namespace name (lower-case letters, digits and '-', at"
                + " most 63), got 'Builds_1'",
            "DBOPS_KUBERNETES_SERVICE_ACCOUNT must be a service account name (lower-case letters, digits, '-' and"
                + " '.'), got 'Not Valid'",
            "DBOPS_POD_IMAGE must be an image reference without spaces, got 'a b'"));
  }

  @Test
  void labelValuesAreMadeValid() {
    assertThat(PodLabels.labelValue("dc1")).isEqualTo("dc1");
    assertThat(PodLabels.labelValue("eu west/prod")).isEqualTo("eu-west-prod");
    assertThat(PodLabels.labelValue("-_x_-")).isEqualTo("x");
    assertThat(PodLabels.labelValue("***")).isEqualTo("x");
    assertThat(PodLabels.labelValue("a".repeat(70))).hasSize(63);
  }

  private static Map<String, String> env(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("DBOPS_SERVER_URL", "https://cp.example.com", "DBOPS_TOKEN", "t"));
    env.putAll(extra);
    return env;
  }
}
