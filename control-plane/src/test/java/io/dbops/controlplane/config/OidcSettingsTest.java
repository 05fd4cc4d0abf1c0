package io.dbops.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.config.EnvReader;
import io.dbops.controlplane.identity.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcSettingsTest {
  private static final Map<String, String> MINIMAL = Map.of(
      "DBOPS_OIDC_ISSUER", "https://idp.example/realms/dbops",
      "DBOPS_OIDC_CLIENT_ID", "dbops",
      "DBOPS_OIDC_ROLE_MAP", "dba=approver, dev=deployer:dev|staging ,dev=viewer:qa,all=viewer");

  @TempDir Path dir;

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> env = new HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void readsTheSettingsWithTheirDefaults() {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(MINIMAL);
    OidcSettings oidc = config.consoleAuth().oidc();
    assertThat(oidc.issuer().toString()).isEqualTo("https://idp.example/realms/dbops");
    assertThat(oidc.clientSecret()).isNull();
    assertThat(oidc.scopes()).containsExactly("openid", "profile", "email");
    assertThat(oidc.groupsClaim()).isEqualTo("groups");
    assertThat(oidc.nameClaim()).isEqualTo("preferred_username");
    assertThat(oidc.redirectUrl()).isNull();
    assertThat(oidc.roleMap()).extracting(OidcSettings.RoleMapping::toString)
        .containsExactly("dba=approver", "dev=deployer:dev|staging", "dev=viewer:qa", "all=viewer");
    assertThat(config.consoleAuth().sessionLifetime()).isEqualTo(Duration.ofHours(12));
    assertThat(config.consoleAuth().sessionIdle()).isEqualTo(Duration.ofMinutes(60));
    assertThat(config.consoleAuth().secureCookies()).isFalse();
  }

  @Test
  void withoutAnIssuerThereIsNoOidcAndTheSessionSettingsAreRead() {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_CONSOLE_SESSION_HOURS", "2", "DBOPS_CONSOLE_SESSION_IDLE_MINUTES", "15",
        "DBOPS_CONSOLE_SECURE_COOKIES", "true"));
    assertThat(config.consoleAuth().oidc()).isNull();
    assertThat(config.consoleAuth().sessionLifetime()).isEqualTo(Duration.ofHours(2));
    assertThat(config.consoleAuth().sessionIdle()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.consoleAuth().secureCookies()).isTrue();
  }

  @Test
  void theRoleMapGivesEveryMatchingRoleAndTheUnionOfEnvironmentLimits() {
    OidcSettings oidc = ControlPlaneConfig.fromEnvironment(MINIMAL).consoleAuth().oidc();

    assertThat(oidc.map(List.of("strangers"))).isEmpty();
    assertThat(oidc.map(List.of())).isEmpty();
    OidcSettings.Mapped dev = oidc.map(List.of("dev")).orElseThrow();
    assertThat(dev.roles()).containsExactlyInAnyOrder(Role.DEPLOYER, Role.VIEWER);
    assertThat(dev.environments()).containsExactly("dev", "staging", "qa");
    // an unlimited entry lifts the limit of the identity
    OidcSettings.Mapped both = oidc.map(List.of("dev", "all")).orElseThrow();
    assertThat(both.environments()).isEmpty();
    assertThat(oidc.map(Set.of("dba")).orElseThrow().roles()).containsExactly(Role.APPROVER);
    // exact, case-sensitive group names
    assertThat(oidc.map(List.of("DBA"))).isEmpty();
  }

  @Test
  void theClientSecretComesFromAFileAndIsNeverShown() throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "canary-secret-0815\n");
    OidcSettings oidc = ControlPlaneConfig.fromEnvironment(with(MINIMAL,
        "DBOPS_OIDC_CLIENT_SECRET_FILE", file.toString())).consoleAuth().oidc();
    assertThat(oidc.clientSecret()).isEqualTo("canary-secret-0815");
    assertThat(oidc.toString()).doesNotContain("canary-secret-0815");
    assertThat(ControlPlaneConfig.fromEnvironment(with(MINIMAL, "DBOPS_OIDC_CLIENT_SECRET",
        "canary-secret-0815")).toString()).doesNotContain("canary-secret-0815");
  }

  @Test
  void reportsEveryProblemAtOnceByNameWithoutTheSecret() {
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_OIDC_ISSUER", "idp.example",
        "DBOPS_OIDC_SCOPES", "profile email",
        "DBOPS_OIDC_CLIENT_SECRET", "canary-secret-0815",
        "DBOPS_OIDC_CLIENT_SECRET_FILE", "/nonexistent/secret",
        "DBOPS_CONSOLE_SESSION_HOURS", "0")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("DBOPS_OIDC_ISSUER must be"))
              .anySatisfy(p -> assertThat(p).startsWith("DBOPS_OIDC_CLIENT_ID is required"))
              .anySatisfy(p -> assertThat(p).startsWith("DBOPS_OIDC_ROLE_MAP is required"))
              .anySatisfy(p -> assertThat(p).startsWith("DBOPS_OIDC_SCOPES must include openid"))
              .anySatisfy(p -> assertThat(p).contains("not both"))
              .anySatisfy(p -> assertThat(p).startsWith("DBOPS_CONSOLE_SESSION_HOURS must be"));
          assertThat(e.getMessage()).doesNotContain("canary-secret-0815");
        });
  }

  @Test
  void aBadRoleMapEntryIsNamed() {
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(with(MINIMAL,
        "DBOPS_OIDC_ROLE_MAP", "dba=superuser,dev=deployer:,ops,x=viewer:bad env")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).contains("unknown role 'superuser'"))
            .anySatisfy(p -> assertThat(p).contains("'dev=deployer:' names no environment"))
            .anySatisfy(p -> assertThat(p).contains("'ops' must be GROUP=ROLE"))
            .anySatisfy(p -> assertThat(p).contains("'bad env' is not an environment name")));
  }

  @Test
  void oidcVariablesWithoutAnIssuerAreAProblem() {
    assertThatThrownBy(() -> ControlPlaneConfig.fromEnvironment(Map.of(
        "DBOPS_OIDC_CLIENT_ID", "dbops")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).startsWith("DBOPS_OIDC_ISSUER is required when")
                .contains("DBOPS_OIDC_CLIENT_ID")));
    // reading alone does not throw: problems collect in the reader
    EnvReader reader = new EnvReader(Map.of());
    assertThat(OidcSettings.fromEnvironment(reader)).isNull();
    assertThat(reader.problems().isEmpty()).isTrue();
  }
}
