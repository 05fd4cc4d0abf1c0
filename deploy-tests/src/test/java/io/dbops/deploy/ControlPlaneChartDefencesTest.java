package io.dbops.deploy;

import static io.dbops.deploy.Charts.CONTROL_PLANE;
import static io.dbops.deploy.Charts.NAMESPACE;
import static io.dbops.deploy.DelegateChartTest.mountPaths;
import static io.dbops.deploy.DelegateChartTest.volume;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The control plane chart defends by default (issue 13, "Charts"): it never serves the management
 * API without TLS (its own, or one that terminates in front of it, said explicitly) and its pods get a
 * NetworkPolicy.
 */
class ControlPlaneChartDefencesTest {
  private static final String TLS_REQUIRED = "tls.secretName is required: the control plane serves its management"
      + " API over TLS only. Set tls.secretName to a Secret with the PEM certificate chain and key (tls.crt,"
      + " tls.key; e.g. from cert-manager), or, if TLS terminates in front of the pod (ingress, service mesh, load"
      + " balancer), set tls.terminatedUpstream=true";

  @Test
  void refusesToRenderWithoutTls() {
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of())).contains(TLS_REQUIRED);
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("database.url", "jdbc:postgresql://db:5432/dbops",
        "tls.terminatedUpstream", false))).contains(TLS_REQUIRED);
    assertThat(Charts.renderError(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls", "tls.terminatedUpstream", true)))
        .contains("tls: set tls.secretName (the pod serves TLS) or tls.terminatedUpstream=true (TLS ends in front of"
            + " it), not both");
  }

  @Test
  void servesHttpsWithTheMountedSecret() {
    Manifests m = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls"));

    JsonNode c = m.container("control-plane");
    Map<String, String> env = Manifests.plainEnv(c);
    assertThat(env).containsEntry("DBOPS_TLS_CERT", "/etc/dbops/tls/tls.crt")
        .containsEntry("DBOPS_TLS_KEY", "/etc/dbops/tls/tls.key")
        .containsEntry("DBOPS_PUBLIC_URL", "https://dbops-dbops-control-plane.dbops-system.svc:8080")
        .doesNotContainKey("DBOPS_ALLOW_INSECURE");
    // a whole-Secret directory (no subPath): the kubelet updates the files and the server reloads them
    assertThat(mountPaths(c)).containsEntry("tls", "/etc/dbops/tls");
    JsonNode secret = volume(m.podSpec(), "tls").path("secret");
    assertThat(secret.path("secretName").asText()).isEqualTo("dbops-tls");
    assertThat(secret.path("items").findValuesAsText("key")).containsExactly("tls.crt", "tls.key");
    assertThat(secret.path("items").findValuesAsText("path")).containsExactly("tls.crt", "tls.key");
    assertThat(secret.path("defaultMode").asInt()).isEqualTo(0440);
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(c.path(probe).path("httpGet").path("scheme").asText()).as(probe).isEqualTo("HTTPS");
    }
    // no Secret is rendered: the certificate comes from the cluster (cert-manager, or kubectl create secret tls)
    assertThat(m.kinds()).doesNotContain("Secret");
  }

  @Test
  void tlsTerminatedUpstreamIsAnExplicitChoiceThatAllowsPlainHttp() {
    Manifests m = Charts.render(CONTROL_PLANE, Map.of("tls.terminatedUpstream", true));

    JsonNode c = m.container("control-plane");
    assertThat(Manifests.plainEnv(c)).containsEntry("DBOPS_ALLOW_INSECURE", "true")
        .containsEntry("DBOPS_SERVER_BIND", "0.0.0.0")
        .containsEntry("DBOPS_PUBLIC_URL", "http://dbops-dbops-control-plane.dbops-system.svc:8080")
        .doesNotContainKeys("DBOPS_TLS_CERT", "DBOPS_TLS_KEY");
    assertThat(mountPaths(c)).doesNotContainKey("tls");
    assertThat(c.path("readinessProbe").path("httpGet").path("scheme").asText()).isEqualTo("HTTP");
  }

  @Test
  void networkPolicyByDefaultOpensTheServerPortAndReachesOnlyDns() {
    Manifests m = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls"));

    JsonNode policy = m.one("NetworkPolicy");
    assertThat(policy.path("metadata").path("namespace").asText()).isEqualTo(NAMESPACE);
    JsonNode spec = policy.path("spec");
    assertThat(spec.path("podSelector").path("matchLabels"))
        .isEqualTo(m.one("Deployment").path("spec").path("selector").path("matchLabels"));
    assertThat(Manifests.texts(spec.path("policyTypes"))).containsExactly("Ingress", "Egress");
    assertThat(spec.path("ingress")).hasSize(1);
    assertThat(spec.path("ingress").get(0).path("ports").findValuesAsText("port")).containsExactly("http");
    assertThat(spec.path("ingress").get(0).has("from")).isFalse();
    // embedded H2: nothing to reach but DNS
    assertThat(spec.path("egress")).hasSize(1);
    assertThat(spec.path("egress").get(0).path("ports").findValuesAsText("port")).containsExactly("53", "53");

    // PostgreSQL: its port, from the URL
    JsonNode withDb = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "database.url", "jdbc:postgresql://db.example.internal/dbops")).one("NetworkPolicy").path("spec");
    assertThat(withDb.path("egress")).hasSize(2);
    assertThat(withDb.path("egress").get(1).has("to")).isFalse();
    assertThat(withDb.path("egress").get(1).path("ports").findValuesAsText("port")).containsExactly("5432");
    JsonNode otherPort = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "database.url", "jdbc:postgresql://db.example.internal:6543/dbops?sslmode=require"))
        .one("NetworkPolicy").path("spec");
    assertThat(otherPort.path("egress").get(1).path("ports").findValuesAsText("port")).containsExactly("6543");

    assertThat(Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "t", "networkPolicy.enabled", false)).kinds())
        .doesNotContain("NetworkPolicy");
  }

  @Test
  void networkPolicyTakesEveryOption() {
    JsonNode spec = Charts.render(CONTROL_PLANE, "control-plane-all-values.yaml").one("NetworkPolicy").path("spec");

    JsonNode from = spec.path("ingress").get(0).path("from");
    assertThat(from).hasSize(2);
    assertThat(from.get(0).path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
        .isEqualTo("dbops-delegates");
    assertThat(from.get(1).path("ipBlock").path("cidr").asText()).isEqualTo("10.40.0.0/16");
    JsonNode egress = spec.path("egress");
    assertThat(egress).hasSize(5);
    assertThat(egress.get(0).path("to").get(0).path("podSelector").path("matchLabels").path("k8s-app").asText())
        .isEqualTo("coredns");
    assertThat(egress.get(1).path("to").findValuesAsText("cidr")).containsExactly("10.50.1.10/32");
    assertThat(egress.get(1).path("to").get(1).path("namespaceSelector").isObject()).isTrue();
    assertThat(egress.get(1).path("ports").findValuesAsText("port")).containsExactly("5432", "6432");
    assertThat(egress.get(2).path("to").findValuesAsText("cidr")).containsExactly("10.60.0.0/24");
    assertThat(egress.get(2).path("ports").findValuesAsText("port")).containsExactly("8443");
    assertThat(egress.get(3).has("to")).isFalse();
    assertThat(egress.get(3).path("ports").findValuesAsText("port")).containsExactly("443", "8443");
    assertThat(egress.get(4).path("ports").findValuesAsText("port")).containsExactly("4317");
  }

  /**
   * Sign-in through an OpenID provider and outgoing notifications need egress the default policy
   * does not give: each opens its own rule, on its port only, and only when it is configured.
   */
  @Test
  void networkPolicyReachesTheOpenIdProviderAndNotificationEndpointsOnlyWhenSet() {
    Map<String, Object> oidc = Map.of("tls.secretName", "dbops-tls", "oidc.issuer", "https://idp.example.com/realms/dbops",
        "oidc.clientId", "dbops", "oidc.roleMap[0]", "dba=approver");
    JsonNode egress = Charts.render(CONTROL_PLANE, oidc).one("NetworkPolicy").path("spec").path("egress");
    assertThat(egress).hasSize(2);
    assertThat(egress.get(1).has("to")).isFalse();
    assertThat(egress.get(1).path("ports").findValuesAsText("port")).containsExactly("443");

    JsonNode plainHttp = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "oidc.issuer", "http://keycloak.iam.svc/realms/dbops", "oidc.clientId", "dbops",
        "oidc.roleMap[0]", "dba=approver")).one("NetworkPolicy").path("spec").path("egress");
    assertThat(plainHttp.get(1).path("ports").findValuesAsText("port")).containsExactly("80");

    JsonNode notify = Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "notifications.allowHosts[0]", "hooks.slack.com")).one("NetworkPolicy").path("spec").path("egress");
    assertThat(notify).hasSize(2);
    assertThat(notify.get(1).path("ports").findValuesAsText("port")).containsExactly("443");
    assertThat(Manifests.plainEnv(Charts.render(CONTROL_PLANE, Map.of("tls.secretName", "dbops-tls",
        "notifications.allowHosts[0]", "hooks.slack.com")).container("control-plane")))
        .containsEntry("DBOPS_NOTIFY_ALLOW_HOSTS", "hooks.slack.com")
        .doesNotContainKey("DBOPS_OIDC_ISSUER");
  }
}
