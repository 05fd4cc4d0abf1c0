package io.dbops.agent.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.SecretEnv;
import io.dbops.secrets.SealedBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
  private final KeyPair keys = SealedBox.newKeyPair();
  private final String publicKey = SealedBox.encodePublicKey(keys.getPublic());
  @TempDir Path dir;

  @Test
  void resolvesEveryKindOfSource() throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, "from-file\n");
    KubernetesSecretReader kubernetes = (secret, key) ->
        secret.equals("orders-db") && key.equals("password") ? Optional.of("from-kubernetes") : Optional.empty();
    SecretResolver resolver = new SecretResolver(keys.getPrivate(), Map.of("DB_PASSWORD", "from-env")::get, kubernetes,
        allowing());
    String sealed = SealedBox.seal(publicKey, "from-store", "task-1");

    PodSecrets secrets = resolver.resolve("task-1", payload(List.of(
        new SecretEnv("A", "<+secrets.getValue(\"orders\")>", sealed),
        new SecretEnv("B", "env:DB_PASSWORD"),
        new SecretEnv("C", "file:" + file),
        new SecretEnv("D", "kubernetes:orders-db/password"))));

    assertThat(secrets.env()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "A", "from-store", "B", "from-env", "C", "from-file", "D", "from-kubernetes"));
    assertThat(secrets.toString()).doesNotContain("from-");
  }

  @Test
  void reportsEveryProblemAtOnceNamingSourcesNeverValues() {
    SecretResolver resolver = new SecretResolver(keys.getPrivate(), name -> null, KubernetesSecretReader.NONE,
        allowing());
    String sealedForAnotherTask = SealedBox.seal(publicKey, "never-shown", "task-0");

    assertThatThrownBy(() -> resolver.resolve("task-1", payload(List.of(
            new SecretEnv("A", "env:MISSING_PASSWORD"),
            new SecretEnv("B", "<+secrets.getValue(\"orders\")>", sealedForAnotherTask),
            new SecretEnv("C", "<+secrets.getValue(\"unsealed\")>"),
            new SecretEnv("D", "file:" + dir.resolve("absent")),
            new SecretEnv("E", "kubernetes:orders-db/password")))))
        .isInstanceOf(SecretResolutionException.class)
        .hasMessageContaining("Secret source env:MISSING_PASSWORD of variable A is not set in the delegate's environment")
        .hasMessageContaining("of B: The sealed value does not open with this delegate's key")
        .hasMessageContaining("of C arrived without its sealed value")
        .hasMessageContaining("of variable D: no such file on the delegate")
        .hasMessageContaining("needs the Kubernetes API")
        .hasMessageNotContaining("never-shown");
  }

  @Test
  void aMalformedSourceIsReportedWithoutEchoingItAndNothingIsRead() {
    java.util.List<String> asked = new java.util.ArrayList<>();
    SecretResolver resolver = new SecretResolver(keys.getPrivate(), name -> {
      asked.add(name);
      return "x";
    }, KubernetesSecretReader.NONE, allowing());

    assertThatThrownBy(() -> resolver.resolve("task-1", payload(List.of(
            new SecretEnv("A", "env:DB_PASSWORD"), new SecretEnv("F", "hunter2")))))
        .hasMessageContaining("The secret source of variable F is not valid")
        .hasMessageNotContaining("hunter2");
    assertThat(asked).isEmpty();
  }

  /** The allowlists these sources need: default deny. */
  private io.dbops.agent.policy.DelegatePolicy allowing() {
    return new io.dbops.agent.policy.DelegatePolicy(io.dbops.agent.policy.Allowlists.of(Map.of(
        "DBOPS_ALLOW_SECRET_ENV", "*_PASSWORD", "DBOPS_ALLOW_SECRET_FILES", dir.toString(),
        "DBOPS_ALLOW_SECRET_KUBERNETES", "orders-*")), dir.resolve("state"));
  }

  static InitStagePayload payload(List<SecretEnv> secrets) {
    return new InitStagePayload("e1", "dev", "pod", "img", 1, Map.of(), secrets, 60);
  }
}
