package io.dbops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.secrets.SecretSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineValidatorTest {
  private final PipelineValidator validator = new PipelineValidator();

  private static Pipeline withPassword(String passwordFrom) {
    Step apply = new Step("apply", "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);
    return new Pipeline("orders", List.of(new Stage("dev",
        new Database("jdbc:postgresql://db:5432/orders", "app", passwordFrom), List.of(apply), List.of(), 0)));
  }

  @Test
  void acceptsEveryKindOfSecretSourceForTheDatabasePassword() {
    for (String source : List.of("<+secrets.getValue(\"orders_db_password\")>", "env:ORDERS_DB_PASSWORD",
        "file:/var/run/secrets/orders/password", "kubernetes:orders-db/password")) {
      assertThat(validator.validate("test", withPassword(source))).isNotNull();
    }
  }

  @Test
  void refusesAnInvalidSourceListingTheFormsWithoutEchoingIt() {
    String pasted = "hunter2-the-actual-password";
    assertThatThrownBy(() -> validator.validate("test", withPassword(pasted)))
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactly(
            "stages[0].database.passwordFrom must be one of " + SecretSource.FORMS))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(pasted));
    assertThatThrownBy(() -> validator.validate("test", withPassword("<+secrets.getValue(\"bad name!\")>")))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining(SecretSource.FORMS);
  }

  @Test
  void checksPodSettingsAndStepResourcesAndTheRegistryPasswordSource() {
    Pipeline base = withPassword("env:X");
    Stage stage = base.stages().get(0);
    Step step = stage.steps().get(0);
    Step bad = new Step(step.name(), step.type(), step.changelog(), step.searchPath(), null, null, null, null,
        Map.of(), null, null, null, null, null, null, null, null, null, null, null,
        new StepResources("250m", "lots", null, "1Gi"));
    StagePod pod = new StagePod("Not_A_Name", Map.of(), List.of(new StagePod.Toleration("k", "Maybe", null,
        "NoExecute", 30L)), "Sometimes", List.of(
            new StagePod.RegistryCredential("registry.example.com", "robot", "my-registry-password"),
            new StagePod.RegistryCredential(null, null, null)));
    Pipeline pipeline = new Pipeline("p", List.of(new Stage("dev", stage.database(), List.of(bad), List.of(), 0, pod)));
    assertThatThrownBy(() -> validator.validate("test", pipeline))
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactlyInAnyOrder(
            "stages[0].pod.serviceAccount must be a Kubernetes name (lowercase letters, digits, '-' and '.')",
            "stages[0].pod.imagePullPolicy must be Always, IfNotPresent or Never",
            "stages[0].pod.tolerations[0].operator must be Exists or Equal",
            "stages[0].pod.registryCredentials[1].registry is required (a host, for example registry.example.com)",
            "stages[0].pod.registryCredentials[1].username is required",
            "stages[0].pod.registryCredentials[1].passwordFrom is required",
            "stages[0].steps[0].resources.memoryRequest must be a Kubernetes quantity such as 250m, 1, 512Mi or 2Gi,"
                + " not 'lots'",
            "stages[0].pod.registryCredentials[0].passwordFrom must be one of " + SecretSource.FORMS))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("my-registry-password"));

    StagePod good = new StagePod("dbops-build", Map.of("pool", "db"), List.of(), "IfNotPresent",
        List.of(new StagePod.RegistryCredential("r.example.com", "robot", "<+secrets.getValue(\"reg\")>")));
    Pipeline ok = new Pipeline("p", List.of(new Stage("dev", stage.database(), List.of(step), List.of(), 0, good)));
    assertThat(validator.validate("test", ok)).isSameAs(ok);
    assertThat(PipelineSecrets.storeNames(ok)).containsExactly("reg");
  }

  @Test
  void listsTheStoreSecretsAPipelineUses() {
    assertThat(PipelineSecrets.storeNames(withPassword("<+secrets.getValue(\"orders_db_password\")>")))
        .containsExactly("orders_db_password");
    assertThat(PipelineSecrets.storeNames(withPassword("env:X"))).isEmpty();
  }

  private static Pipeline withUrl(String url) {
    Step apply = new Step("apply", "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);
    return new Pipeline("orders", List.of(new Stage("dev", new Database(url, "app", "env:ORDERS_DB_PASSWORD"),
        List.of(apply), List.of(), 0)));
  }

  @Test
  void refusesAPasswordInsideAJdbcUrlInEveryDriversSyntaxWithoutEchoingIt() {
    String secret = "S3cr3tValue";
    Map<String, String> urls = new java.util.LinkedHashMap<>();
    urls.put("jdbc:postgresql://app:" + secret + "@db:5432/orders", "the user info (user:password@)");
    urls.put("jdbc:mysql://app:" + secret + "@db/orders", "the user info (user:password@)");
    urls.put("jdbc:oracle:thin:app/" + secret + "@db:1521:orcl", "the user info (user:password@)");
    urls.put("jdbc:postgresql://db:5432/orders?user=app&password=" + secret, "the property 'password'");
    urls.put("jdbc:postgresql://db:5432/orders?password=" + secret, "the property 'password'");
    urls.put("jdbc:mariadb://db:3306/orders?user=app&PassWord=" + secret, "the property 'password'");
    urls.put("jdbc:h2:mem:orders;USER=sa;PASSWORD=" + secret, "the property 'password'");
    urls.put("jdbc:h2:file:/data/orders;CIPHER=AES;FILE_PASSWORD=" + secret, "the property 'file_password'");
    urls.put("jdbc:sqlserver://db:1433;databaseName=orders;pwd=" + secret, "the property 'pwd'");
    urls.put("jdbc:db2://db:50000/orders:user=app;password=" + secret + ";", "the property 'password'");
    urls.put("jdbc:postgresql://db/orders?sslmode=verify-full&sslpassword=" + secret, "the property 'sslpassword'");
    urls.put("jdbc:mariadb://db/orders?trustStorePassword=" + secret, "the property 'truststorepassword'");
    urls.forEach((url, found) -> assertThatThrownBy(() -> validator.validate("test", withUrl(url)))
        .as(found)
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactly(
            "stages[0].database.url must not contain a password (found in " + found + "); put the"
                + " password in a secret and name it in stages[0].database.passwordFrom ("
                + SecretSource.FORMS + ")"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret)));
  }

  @Test
  void acceptsJdbcUrlsWithoutAPassword() {
    for (String url : List.of("jdbc:postgresql://db:5432/orders?sslmode=require&user=app",
        "jdbc:postgresql://db1:5432,db2:5432/orders?targetServerType=primary",
        "jdbc:mysql://app@db/orders", "jdbc:h2:mem:orders;MODE=PostgreSQL;DB_CLOSE_DELAY=-1",
        "jdbc:sqlserver://db:1433;databaseName=orders;encrypt=true", "jdbc:postgresql://[::1]:5432/orders")) {
      assertThat(validator.validate("test", withUrl(url))).as(url).isNotNull();
    }
  }

  private static Step named(String name) {
    return new Step(name, "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);
  }

  @Test
  void refusesMoreStagesOrStepsThanTheCeilingsNamingTheSettings() {
    Step apply = new Step("apply", "apply", "changelog.xml", "/work", null, null, null, null, Map.of(), null);
    List<Step> threeSteps = List.of(apply, named("two"), named("three"));
    Database db = new Database("jdbc:h2:mem:x", "sa", null);
    List<Stage> threeStages = List.of(new Stage("a", db, threeSteps, List.of(), 0),
        new Stage("b", db, List.of(apply), List.of(), 0), new Stage("c", db, List.of(apply), List.of(), 0));
    Pipeline pipeline = new Pipeline("big", threeStages);
    assertThatThrownBy(() -> new PipelineValidator(new PipelineLimits(2, 2)).validate("test", pipeline))
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).problems()).containsExactly(
            "'stages' lists 3 stages, more than the 2 allowed (rule: pipeline size; the control plane's"
                + " DBOPS_MAX_STAGES sets the ceiling)",
            "stages[0].steps lists 3 steps, more than the 2 allowed per stage (rule: pipeline size; the"
                + " control plane's DBOPS_MAX_STEPS sets the ceiling)"));
    assertThat(new PipelineValidator(new PipelineLimits(3, 3)).validate("test", pipeline)).isNotNull();
    assertThat(PipelineLimits.DEFAULTS).isEqualTo(new PipelineLimits(20, 50));
    assertThat(PipelineLimits.fromEnvironment(new io.dbops.config.EnvReader(
        Map.of("DBOPS_MAX_STAGES", "5", "DBOPS_MAX_STEPS", "7")))).isEqualTo(new PipelineLimits(5, 7));
  }
}
