package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.config.ConfigException;
import io.dbops.cli.client.ApiCallException;
import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.support.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dbops secret create|list|delete} against a real control plane over HTTP. */
class SecretCommandTest {
  @TempDir Path dir;
  private ControlPlane controlPlane;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private Map<String, String> env = Map.of();
  private String stdin = "";

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(ControlPlaneConfig.builder().port(0).dataDir(dir.resolve("server")).build());
    controlPlane.start();
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    failure.set(null);
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == SecretCommand.Create.class) {
          return type.cast(new SecretCommand.Create(env::get,
              new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), print));
        }
        if (type == SecretCommand.ListSecrets.class) {
          return type.cast(new SecretCommand.ListSecrets(print));
        }
        if (type == SecretCommand.Delete.class) {
          return type.cast(new SecretCommand.Delete(print));
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
    CommandLine cmd = ApiTokens.use(new CommandLine(SecretCommand.class, factory), controlPlane.adminToken());
    cmd.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    cmd.setExecutionExceptionHandler((e, c, p) -> {
      failure.set(e);
      return 99;
    });
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = controlPlane.baseUrl();
    return cmd.execute(all);
  }

  @Test
  void createsFromAVariableAFileOrStdinListsAndDeletes() throws Exception {
    env = Map.of("ORDERS_PW", "s3cret-from-env");
    assertThat(run("create", "orders_db_password", "--value-env", "ORDERS_PW")).isZero();
    assertThat(out.toString()).isEqualTo("Secret orders_db_password created. Use it as"
        + " <+secrets.getValue(\"orders_db_password\")>\n");
    Path file = Files.writeString(dir.resolve("pw.txt"), "s3cret-from-file\n");
    assertThat(run("create", "orders_db_password", "--from-file", file.toString())).isZero();
    assertThat(out.toString()).startsWith("Secret orders_db_password replaced.");
    stdin = "s3cret-from-stdin";
    assertThat(run("create", "git.token", "--from-file", "-")).isZero();

    assertThat(run("list")).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).startsWith("NAME").contains("CREATED").contains("UPDATED");
    assertThat(lines).hasSize(3);
    assertThat(lines[1]).startsWith("git.token ");
    assertThat(lines[2]).startsWith("orders_db_password ");
    assertThat(out.toString()).doesNotContain("s3cret");

    assertThat(run("list", "--output", "json")).isZero();
    JsonNode json = Json.mapper().readTree(out.toString());
    assertThat(json).hasSize(2);
    assertThat(json.get(1).path("name").asText()).isEqualTo("orders_db_password");
    assertThat(json.get(1).has("createdAt")).isTrue();
    assertThat(out.toString()).doesNotContain("s3cret");

    assertThat(run("delete", "git.token")).isZero();
    assertThat(out.toString()).isEqualTo("Secret git.token deleted.\n");
    assertThat(run("delete", "git.token")).isEqualTo(99);
    assertThat(failure.get()).isInstanceOf(ApiCallException.class);
    assertThat(((ApiCallException) failure.get()).status()).isEqualTo(404);
  }

  @Test
  void theServerExits78WhenItsMasterKeyDoesNotOpenTheStoredSecrets() throws Exception {
    env = Map.of("ORDERS_PW", "s3cret");
    assertThat(run("create", "orders_db_password", "--value-env", "ORDERS_PW")).isZero();
    controlPlane.close();
    Path keyFile = dir.resolve("server").resolve("master.key");
    assertThat(keyFile).exists(); // generated at the first start (no DBOPS_MASTER_KEY here)
    Files.writeString(keyFile, java.util.Base64.getEncoder().encodeToString(new byte[32]));
    assertThat(io.dbops.cli.Main.run("server", "--port", "0", "--data-dir", dir.resolve("server").toString()))
        .isEqualTo(io.dbops.cli.ExitCodes.CONFIG);
  }

  @Test
  void refusesAMissingVariableOrFileAndTakesExactlyOneSourceAndNoValueOption() {
    assertThat(run("create", "x", "--value-env", "NOT_SET_ANYWHERE")).isEqualTo(99);
    assertThat(failure.get()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("the environment variable NOT_SET_ANYWHERE is not set");
    assertThat(run("create", "x", "--from-file", dir.resolve("missing").toString())).isEqualTo(99);
    assertThat(failure.get()).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--from-file " + dir.resolve("missing") + ": cannot read it");
    env = Map.of("EMPTY", "");
    assertThat(run("create", "x", "--value-env", "EMPTY")).isEqualTo(99);
    assertThat(failure.get()).hasMessageContaining("The value of secret 'x' is empty");

    // usage errors (picocli's exit code 2): neither, both, or a value on the command line
    assertThat(run("create", "x")).isEqualTo(2);
    assertThat(run("create", "x", "--value-env", "A", "--from-file", "f")).isEqualTo(2);
    assertThat(run("create", "x", "--value", "hunter2")).isEqualTo(2);
    assertThat(run("list")).isZero();
    assertThat(out.toString().split("\n")).hasSize(1); // nothing was stored
  }
}
