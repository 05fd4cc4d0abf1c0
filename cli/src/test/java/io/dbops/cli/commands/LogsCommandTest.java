package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.logship.Progress;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Done-when test of issue #6: {@code dbops logs -f} shows a running step's line promptly (the
 * assertion allows 5 s; the latency measured is printed), then its progress, and exits 0 when the
 * execution succeeds. A real control plane over HTTP; the step's line is shipped by a real
 * LogShipper with the step stream's log token (HMAC of the stream key, docs/api.md).
 */
class LogsCommandTest {
  @TempDir Path dataDir;
  private final OkHttpClient http = new OkHttpClient();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private ControlPlane controlPlane;

  @AfterEach
  void stop() {
    threads.shutdownNow();
    if (controlPlane != null) {
      controlPlane.close();
    }
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void followsARunningStepsLinesAndProgressAndExitsZeroWhenTheExecutionSucceeds() throws Exception {
    controlPlane = new ControlPlane(ControlPlaneConfig.builder().port(0).dataDir(dataDir)
        .dispatchDeadlineSeconds(600).build()); // no delegate: the execution stays RUNNING
    controlPlane.start();
    String id = submit();
    String stream = "executions/" + id + "/dev/apply";
    Lines out = new Lines();

    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ApiTokens.use(new CommandLine(new LogsCommand(out.stream())), controlPlane.adminToken())
        .execute("-f", "--server", controlPlane.baseUrl(), id), threads);
    out.await("[dbops] Execution " + id, Duration.ofSeconds(20)); // attached: the control lines arrived

    LogShipper shipper = new LogShipper(http, new LogStreamRef(controlPlane.baseUrl(), stream, logToken(stream)),
        ShipperSettings.DEFAULT);
    shipper.start();
    long printedAt = System.nanoTime();
    shipper.append("WARN", "hello from the running step", System.currentTimeMillis());
    String shown = out.await("hello from the running step", Duration.ofSeconds(5));
    System.out.printf("dbops logs -f showed the line %d ms after it was printed%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - printedAt));
    assertThat(shown).endsWith("[dev/apply] WARN hello from the running step").doesNotContain("\u001b[");

    shipper.progress(new Progress(2, 7, "db/orders.xml::2::alice"));
    assertThat(out.await("changeset 2 of 7", Duration.ofSeconds(5)))
        .endsWith("[dev/apply] changeset 2 of 7: db/orders.xml::2::alice");
    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();

    succeed(id);
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void reportsAnUnknownExecution() throws Exception {
    controlPlane = new ControlPlane(ControlPlaneConfig.builder().port(0).dataDir(dataDir).build());
    controlPlane.start();
    CommandLine cli = ApiTokens.use(new CommandLine(new LogsCommand(new Lines().stream())),
        controlPlane.adminToken());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println(e.getMessage());
      return 1;
    });

    assertThat(cli.execute("-f", "--server", controlPlane.baseUrl(), "ex-nope")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("No execution 'ex-nope'");
  }

  private String submit() throws Exception {
    String pipeline = "{\"name\":\"orders\",\"stages\":[{\"name\":\"dev\",\"database\":{\"url\":\"jdbc:h2:mem:o\","
        + "\"username\":\"sa\",\"passwordFrom\":\"env:ORDERS_DB_PASSWORD\"},\"steps\":[{\"name\":\"apply\","
        + "\"type\":\"apply\",\"changelog\":\"changelog.xml\",\"searchPath\":\"/work/changelogs\"}]}]}";
    Request request = new Request.Builder().url(controlPlane.baseUrl() + "/api/v1/executions")
        .header("Authorization", "Bearer " + controlPlane.adminToken())
        .post(RequestBody.create(pipeline, MediaType.get("application/json"))).build();
    try (Response response = http.newCall(request).execute()) {
      String body = response.body().string();
      assertThat(response.code()).as(body).isEqualTo(201);
      return Json.mapper().readTree(body).get("id").asText();
    }
  }

  /** The log token of a stream, as docs/api.md defines it: HMAC-SHA256(server key, key), base64url. */
  private String logToken(String stream) throws Exception {
    String key;
    try (Connection c = h2(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT setting_value FROM settings WHERE name = 'log_token_key'")) {
      rs.next();
      key = rs.getString(1);
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(key), "HmacSHA256"));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(stream.getBytes(StandardCharsets.UTF_8)));
  }

  /** Ends the execution as the orchestrator would have after its steps succeeded. */
  private void succeed(String id) throws Exception {
    try (Connection c = h2(); PreparedStatement ps = c.prepareStatement(
        "UPDATE executions SET status = 'SUCCEEDED', finished_at = ? WHERE id = ?")) {
      ps.setLong(1, System.currentTimeMillis());
      ps.setString(2, id);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private Connection h2() throws Exception {
    return DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("controlplane"));
  }

  /** A PrintStream whose complete lines can be awaited. */
  static final class Lines {
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final PrintStream stream = new PrintStream(new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          lines.add(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    }, true, StandardCharsets.UTF_8);

    PrintStream stream() {
      return stream;
    }

    String await(String fragment, Duration timeout) throws InterruptedException {
      for (String line : seen) {
        if (line.contains(fragment)) {
          return line;
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(line).as("a line containing '" + fragment + "' within " + timeout + "; seen " + seen).isNotNull();
        seen.add(line);
        if (line.contains(fragment)) {
          return line;
        }
      }
    }
  }
}
