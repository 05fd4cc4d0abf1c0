package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.cli.client.ApiCallException;
import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.controlplane.notifications.TriggerSettings;
import io.dbops.support.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dbops webhook ...} and {@code dbops notification ...} against a real control plane. */
class TriggerCommandsTest {
  static final String DOCUMENT = """
      apiVersion: dbops/v1
      environments: [{name: dev, order: 1}]
      targets: [{name: orders-dev, environment: dev, url: "jdbc:h2:mem:o", username: sa}]
      pipelines:
        - name: orders
          inputs: [{name: ref}]
          stages:
            - {name: dev, target: orders-dev, steps: [{name: update, type: apply, changelog: c.xml}]}
      """;

  @TempDir Path dir;
  private ControlPlane controlPlane;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private Map<String, String> env = Map.of();

  @BeforeEach
  void start() throws Exception {
    controlPlane = new ControlPlane(ControlPlaneConfig.builder().port(0)
        .dataDir(dir.resolve("server"))
        .triggers(TriggerSettings.DEFAULT.withAllowHosts(List.of("127.0.0.1:9"))).build());
    controlPlane.start();
    try (Response r = new OkHttpClient().newCall(new Request.Builder()
        .url(controlPlane.baseUrl() + "/api/v1/apply?baseDirectory=/work/repo")
        .header("Authorization", "Bearer " + controlPlane.adminToken())
        .post(RequestBody.create(DOCUMENT, MediaType.get("application/yaml"))).build()).execute()) {
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
    }
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  private int run(Class<?> command, String... args) {
    out.reset();
    failure.set(null);
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        ByteArrayInputStream stdin = new ByteArrayInputStream(new byte[0]);
        if (type == WebhookCommand.Create.class) {
          return type.cast(new WebhookCommand.Create(env::get, stdin, print));
        }
        if (type == WebhookCommand.ListWebhooks.class) {
          return type.cast(new WebhookCommand.ListWebhooks(print));
        }
        if (type == WebhookCommand.Delete.class) {
          return type.cast(new WebhookCommand.Delete(print));
        }
        if (type == NotificationCommand.Create.class) {
          return type.cast(new NotificationCommand.Create(env::get, stdin, print));
        }
        if (type == NotificationCommand.ListEndpoints.class) {
          return type.cast(new NotificationCommand.ListEndpoints(print));
        }
        if (type == NotificationCommand.Delete.class) {
          return type.cast(new NotificationCommand.Delete(print));
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
    CommandLine cmd = ApiTokens.use(new CommandLine(command, factory), controlPlane.adminToken());
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

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWebhookIsCreatedWithAGeneratedSecretShownOnceListedAndDeleted() throws Exception {
    assertThat(run(WebhookCommand.class, "create", "orders-gh", "--format", "github",
        "--pipeline", "orders", "--branch", "main", "--path", "db/**")).isZero();
    assertThat(out()).contains("Webhook orders-gh created: POST " + controlPlane.baseUrl()
        + "/hooks/orders-gh").contains("Secret (shown once");
    String secret = out().lines().filter(l -> l.startsWith("dbops_whs_")).findFirst().orElseThrow();

    assertThat(run(WebhookCommand.class, "list", "-o", "json")).isZero();
    JsonNode listed = Json.mapper().readTree(out());
    assertThat(listed.get(0).path("name").asText()).isEqualTo("orders-gh");
    assertThat(listed.get(0).path("branches").get(0).asText()).isEqualTo("main");
    assertThat(out()).doesNotContain(secret);
    assertThat(run(WebhookCommand.class, "list")).isZero();
    assertThat(out()).contains("orders-gh").contains("github").contains("db/**");

    assertThat(run(WebhookCommand.class, "create", "bad", "--format", "bitbucket",
        "--pipeline", "nope")).isEqualTo(99);
    assertThat(failure.get()).isInstanceOf(ApiCallException.class);
    assertThat(failure.get().getMessage()).contains("format 'bitbucket' is not one of")
        .contains("pipeline 'nope' does not exist");

    assertThat(run(WebhookCommand.class, "delete", "orders-gh")).isZero();
    assertThat(out()).contains("Webhook orders-gh deleted.");
  }

  @Test
  void aNotificationEndpointTakesItsSecretFromTheEnvironmentAndRefusedHostsNameTheSetting()
      throws Exception {
    env = Map.of("HOOK_SECRET", "cli-canary-secret-0123456789");
    assertThat(run(NotificationCommand.class, "create", "ops", "--url", "http://127.0.0.1:9/x",
        "--event", "failed", "--event", "waiting", "--secret-env", "HOOK_SECRET")).isZero();
    assertThat(out()).contains("Notification endpoint ops created: failed, waiting")
        .doesNotContain("cli-canary-secret");
    assertThat(run(NotificationCommand.class, "list", "-o", "json")).isZero();
    assertThat(Json.mapper().readTree(out()).get(0).path("events").toString())
        .isEqualTo("[\"failed\",\"waiting\"]");
    assertThat(out()).doesNotContain("cli-canary-secret");

    assertThat(run(NotificationCommand.class, "create", "corp", "--url",
        "https://hooks.example.com/x", "--event", "failed")).isEqualTo(99);
    assertThat(failure.get().getMessage())
        .contains("host 'hooks.example.com' is not allowed by DBOPS_NOTIFY_ALLOW_HOSTS");
    assertThat(run(NotificationCommand.class, "create", "x", "--url", "http://127.0.0.1:9/x",
        "--event", "failed", "--secret-env", "UNSET_VAR")).isEqualTo(99);
    assertThat(failure.get().getMessage()).contains("--secret-env UNSET_VAR");

    assertThat(run(NotificationCommand.class, "delete", "ops")).isZero();
    assertThat(run(NotificationCommand.class, "list", "-o", "xml")).isEqualTo(99);
  }
}
