package io.dbops.deploy;

import static io.dbops.deploy.Charts.DELEGATE;
import static io.dbops.deploy.Charts.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.agent.runtime.kubernetes.PodLabels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The delegate chart defends by default (issue 13, "Charts"): NetworkPolicies for the delegate and
 * its build pods, a build namespace of its own, no Role on every Secret of the release namespace,
 * and the delegate's allowlists (contract F) empty unless the operator opens them.
 */
class DelegateChartDefencesTest {
  /** The allowlist variables the chart renders from {@code allow.*} (contract F, contract E). */
  static final List<String> ALLOWLISTS = List.of("DBOPS_ALLOW_SECRET_ENV", "DBOPS_ALLOW_SECRET_FILES",
      "DBOPS_ALLOW_SECRET_KUBERNETES", "DBOPS_ALLOW_HOSTS", "DBOPS_ALLOW_GIT_URLS", "DBOPS_ALLOW_JDBC_PROPERTIES",
      "DBOPS_ALLOW_H2_DIR", "DBOPS_STEP_ALLOW_CHANGE_TYPES");
  private static final String BUILDS = NAMESPACE + "-builds";
  private static final String DELEGATE_POLICY = "dbops-dbops-delegate";
  private static final String BUILD_POLICY = "dbops-dbops-delegate-build-pods";

  @Test
  void defaultValuesRenderBothNetworkPoliciesThatOpenOnlyPorts() {
    Manifests m = Charts.render(DELEGATE);

    JsonNode delegate = m.named("NetworkPolicy", DELEGATE_POLICY);
    assertThat(delegate.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    JsonNode spec = delegate.path("spec");
    assertThat(Manifests.texts(spec.path("policyTypes"))).containsExactly("Ingress", "Egress");
    assertThat(spec.path("podSelector").path("matchLabels"))
        .isEqualTo(m.one("Deployment").path("spec").path("selector").path("matchLabels"));
    JsonNode egress = spec.path("egress");
    assertThat(egress).hasSize(4);
    // without CIDRs: the control plane's port and the API server's ports, to any address
    assertThat(egress.get(0).has("to")).isFalse();
    assertThat(egress.get(0).path("ports").findValuesAsText("port")).containsExactly("443");
    assertThat(egress.get(1).has("to")).isFalse();
    assertThat(egress.get(1).path("ports").findValuesAsText("port")).containsExactly("443", "6443");
    assertThat(egress.get(2).path("ports").findValuesAsText("port")).containsExactly("53", "53");
    assertThat(egress.get(3).path("ports").findValuesAsText("port")).containsExactly("20001");
    assertThat(egress.get(3).path("to").get(0).path("namespaceSelector").path("matchLabels")
        .path("kubernetes.io/metadata.name").asText()).isEqualTo(BUILDS);

    JsonNode build = m.named("NetworkPolicy", BUILD_POLICY);
    assertThat(build.path("metadata").path("namespace").asText()).isEqualTo(BUILDS);
    JsonNode buildSpec = build.path("spec");
    assertThat(Manifests.texts(buildSpec.path("policyTypes"))).containsExactly("Ingress", "Egress");
    // the labels the Kubernetes runtime puts on build pods
    assertThat(buildSpec.path("podSelector").path("matchLabels").path(PodLabels.MANAGED_BY).asText())
        .isEqualTo(PodLabels.MANAGED_BY_VALUE);
    assertThat(buildSpec.path("podSelector").path("matchLabels").path(PodLabels.PART).asText()).isEqualTo("pod");
    // ingress: only the delegate's pods, only the lite engine
    JsonNode ingress = buildSpec.path("ingress");
    assertThat(ingress).hasSize(1);
    assertThat(ingress.get(0).path("ports").findValuesAsText("port")).containsExactly("20001");
    assertThat(ingress.get(0).path("from")).hasSize(1);
    JsonNode from = ingress.get(0).path("from").get(0);
    assertThat(from.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
        .isEqualTo(NAMESPACE);
    assertThat(from.path("podSelector").path("matchLabels")).isEqualTo(spec.path("podSelector").path("matchLabels"));
    // egress: the log service and DNS; no database and no git server until they are listed
    JsonNode buildEgress = buildSpec.path("egress");
    assertThat(buildEgress).hasSize(2);
    assertThat(buildEgress.get(0).path("ports").findValuesAsText("port")).containsExactly("443");
    assertThat(buildEgress.get(1).path("ports").findValuesAsText("port")).containsExactly("53", "53");
    assertThat(buildEgress.findValues("ipBlock")).isEmpty();
  }

  @Test
  void buildPodsPolicyOpensExactlyTheListedTargets() {
    Manifests m = Charts.render(DELEGATE, "delegate-all-values.yaml");

    JsonNode build = m.named("NetworkPolicy", "dbops-eu-build-pods");
    assertThat(build.path("metadata").path("namespace").asText()).isEqualTo("dbops-builds");
    JsonNode egress = build.path("spec").path("egress");
    assertThat(egress).hasSize(5);
    // the log service: where the control plane is
    assertThat(egress.get(0).path("to").findValuesAsText("cidr")).containsExactly("203.0.113.10/32");
    assertThat(egress.get(0).path("ports").findValuesAsText("port")).containsExactly("8443");
    assertThat(egress.get(1).path("ports").findValuesAsText("port")).containsExactly("53", "53");
    // the database targets, with their exceptions
    assertThat(egress.get(2).path("to").get(0).path("ipBlock").path("cidr").asText()).isEqualTo("10.20.0.0/16");
    assertThat(Manifests.texts(egress.get(2).path("to").get(0).path("ipBlock").path("except")))
        .containsExactly("10.20.99.0/24");
    assertThat(egress.get(2).path("ports").findValuesAsText("port")).containsExactly("5432", "5433");
    // the git servers of clone steps
    assertThat(egress.get(3).path("to").findValuesAsText("cidr")).containsExactly("140.82.112.0/20");
    assertThat(egress.get(3).path("ports").findValuesAsText("port")).containsExactly("443");
    // buildPods.extraEgress
    assertThat(egress.get(4).path("ports").findValuesAsText("port")).containsExactly("8081");
    assertThat(build.path("spec").path("ingress").get(0).path("from").get(0).path("podSelector").path("matchLabels")
        .path("app.kubernetes.io/instance").asText()).isEqualTo("dbops");
  }

  @Test
  void networkPoliciesCanBeTurnedOffExplicitly() {
    assertThat(Charts.render(DELEGATE, Map.of("networkPolicy.enabled", false)).kinds()).doesNotContain("NetworkPolicy");
    Manifests delegateOnly = Charts.render(DELEGATE, Map.of("networkPolicy.buildPods.enabled", false));
    assertThat(delegateOnly.all("NetworkPolicy")).hasSize(1);
    assertThat(delegateOnly.one("NetworkPolicy").path("metadata").path("name").asText()).isEqualTo(DELEGATE_POLICY);
  }

  /** No Secret rule without resourceNames where the delegate's token and Helm's release Secrets live. */
  @Test
  void noRoleGrantsUnboundedSecretAccessInTheReleaseNamespace() {
    List<Manifests> renders = List.of(Charts.render(DELEGATE), Charts.render(DELEGATE, "delegate-all-values.yaml"),
        Charts.render(DELEGATE, Map.of("rbac.secretSources.enabled", true,
            "rbac.secretSources.resourceNames[0]", "orders-db", "token.value", "dbops_x")));
    for (Manifests m : renders) {
      assertThat(m.kinds()).doesNotContain("ClusterRole", "ClusterRoleBinding");
      String release = m.one("Deployment").path("metadata").path("namespace").asText();
      String builds = Manifests.plainEnv(m.container("delegate")).get("DBOPS_KUBERNETES_NAMESPACE");
      assertThat(builds).as("the build namespace").isNotEqualTo(release);
      for (JsonNode role : m.all("Role")) {
        for (JsonNode rule : role.path("rules")) {
          if (!Manifests.texts(rule.path("resources")).contains("secrets")) {
            continue;
          }
          String namespace = role.path("metadata").path("namespace").asText();
          if (namespace.equals(release)) {
            assertThat(Manifests.texts(rule.path("resourceNames"))).as(role.toString()).isNotEmpty()
                .doesNotContain("*");
            assertThat(Manifests.texts(rule.path("verbs"))).as(role.toString()).containsExactly("get");
          } else {
            // unnamed Secret rules only where build pods' Secrets are, and nothing else is
            assertThat(namespace).as(role.toString()).isEqualTo(builds);
          }
        }
      }
    }
    Manifests on = renders.get(2);
    JsonNode rule = on.named("Role", "dbops-dbops-delegate-secret-sources").path("rules").get(0);
    assertThat(Manifests.texts(rule.path("resourceNames"))).containsExactly("orders-db");
    // the delegate's own token Secret is named to the delegate, which always refuses it as a source
    assertThat(Manifests.plainEnv(on.container("delegate")))
        .containsEntry("DBOPS_TOKEN_SECRET_NAME", on.one("Secret").path("metadata").path("name").asText())
        .containsEntry("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db");
  }

  @Test
  void secretSourcesRefuseToRenderWithoutNamesOrWithTheTokenOrHelmSecrets() {
    assertThat(Charts.renderError(DELEGATE, Map.of("rbac.secretSources.enabled", true)))
        .contains("rbac.secretSources.enabled is true but rbac.secretSources.resourceNames is empty: list the"
            + " Secrets (in the release namespace) that kubernetes: secret sources may read")
        .contains("the chart never grants get on every Secret of the namespace");
    assertThat(Charts.renderError(DELEGATE, Map.of("rbac.secretSources.enabled", true,
        "rbac.secretSources.resourceNames[0]", "dbops-dbops-delegate-token")))
        .contains("rbac.secretSources.resourceNames names dbops-dbops-delegate-token, the delegate's own token Secret");
    assertThat(Charts.renderError(DELEGATE, Map.of("rbac.secretSources.enabled", true, "token.existingSecret", "tok",
        "rbac.secretSources.resourceNames[0]", "tok")))
        .contains("rbac.secretSources.resourceNames names tok, the delegate's own token Secret");
    assertThat(Charts.renderError(DELEGATE, Map.of("rbac.secretSources.enabled", true,
        "rbac.secretSources.resourceNames[0]", "sh.helm.release.v1.dbops.v1")))
        .contains("rbac.secretSources.resourceNames names sh.helm.release.v1.dbops.v1, a Helm release Secret");
    assertThat(Charts.renderError(DELEGATE, Map.of("rbac.secretSources.enabled", true,
        "rbac.secretSources.resourceNames[0]", "*")))
        .contains("- at '/rbac/secretSources/resourceNames/0': '*' does not match pattern");
  }

  @Test
  void buildNamespaceIsSeparateByDefault() {
    Manifests m = Charts.render(DELEGATE);
    JsonNode namespace = m.one("Namespace").path("metadata");
    assertThat(namespace.path("name").asText()).isEqualTo(BUILDS);
    // set for clusters before 1.21, which do not set it: the NetworkPolicies select by it
    assertThat(namespace.path("labels").path("kubernetes.io/metadata.name").asText()).isEqualTo(BUILDS);
    assertThat(namespace.path("labels").path("pod-security.kubernetes.io/enforce").asText()).isEqualTo("restricted");
    assertThat(Manifests.plainEnv(m.container("delegate"))).containsEntry("DBOPS_KUBERNETES_NAMESPACE", BUILDS);

    // an existing namespace: nothing created
    Manifests existing = Charts.render(DELEGATE, Map.of("build.namespace", "ci-builds", "build.createNamespace", false));
    assertThat(existing.kinds()).doesNotContain("Namespace");
    assertThat(Manifests.plainEnv(existing.container("delegate"))).containsEntry("DBOPS_KUBERNETES_NAMESPACE", "ci-builds");

    // the release namespace only when asked for, and then the chart cannot create it
    assertThat(Charts.renderError(DELEGATE, Map.of("build.namespace", NAMESPACE)))
        .contains("build.namespace is the release namespace (dbops-system) and build.createNamespace is true: set"
            + " build.createNamespace=false (the namespace exists), or leave build.namespace empty for"
            + " dbops-system-builds");
    Manifests same = Charts.render(DELEGATE, Map.of("build.namespace", NAMESPACE, "build.createNamespace", false));
    assertThat(same.named("Role", "dbops-dbops-delegate-build").path("metadata").path("namespace").asText())
        .isEqualTo(NAMESPACE);
  }

  @Test
  void allowlistsRenderAsCommaListsOnlyWhenSet() {
    Map<String, String> defaults = Manifests.plainEnv(Charts.render(DELEGATE).container("delegate"));
    assertThat(defaults).doesNotContainKeys(ALLOWLISTS.toArray(String[]::new));

    Map<String, String> env = Manifests.plainEnv(Charts.render(DELEGATE, "delegate-all-values.yaml")
        .container("delegate"));
    assertThat(env).containsKeys(ALLOWLISTS.toArray(String[]::new));
    // explicit allow.secretKubernetes wins over the Role's resourceNames
    assertThat(env).containsEntry("DBOPS_ALLOW_SECRET_KUBERNETES", "orders-db,reporting-*");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "allow.changeTypes[0]|shellCommand|- at '/allow/changeTypes/0': value must be one of 'executeCommand', 'customChange', 'sqlFileAccess'",
      "allow.hosts[0]|db.internal|- at '/allow/hosts/0': 'db.internal' does not match pattern",
      "allow.hosts[0]|a:5432 b:5432|- at '/allow/hosts/0': 'a:5432 b:5432' does not match pattern",
      "allow.secretEnv[0]|A B|- at '/allow/secretEnv/0': 'A B' does not match pattern",
      "allow.secretFiles[0]|secrets/db|- at '/allow/secretFiles/0': 'secrets/db' does not match pattern",
      "allow.gitUrls[0]|github.com/acme|- at '/allow/gitUrls/0': 'github.com/acme' does not match pattern",
      "allow.jdbcProperties[0]|sslfactory|- at '/allow/jdbcProperties/0': 'sslfactory' does not match pattern",
      "allow.h2Dir|data/h2|- at '/allow/h2Dir': 'data/h2' does not match pattern",
      "allow.anything[0]|x|- at '/allow': additional properties 'anything' not allowed",
      "networkPolicy.databases[0].cidr|10.0.0.0|- at '/networkPolicy/databases/0': missing property 'ports'",
  })
  void schemaRejectsInvalidAllowlistsWithAReadableMessage(String key, String value, String message) {
    assertThat(Charts.renderError(DELEGATE, Map.of(key, value))).contains(message);
  }

  @Test
  void notesSayThatNothingIsAllowedYet() {
    assertThat(Charts.notes(DELEGATE, Map.of("controlPlane.url", "https://cp.example.com")))
        .contains("Nothing is allowed yet: no database target (allow.hosts, and networkPolicy.databases");
    assertThat(Charts.notes(DELEGATE, Map.of("controlPlane.url", "https://cp.example.com",
        "allow.hosts[0]", "*.db.internal:5432"))).doesNotContain("Nothing is allowed yet");
  }

  static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(map);
    copy.put(key, value);
    return copy;
  }
}
