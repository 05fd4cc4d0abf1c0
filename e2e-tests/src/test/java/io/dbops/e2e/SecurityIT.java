package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepRequest;
import io.dbops.support.Json;
import io.dbops.testsupport.CountingServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of the first security review (issue 13), replayed against the real distribution: a
 * {@code dbops server} process, a {@code dbops delegate} process with the local runtime, and the
 * build pod processes it starts. Each must be refused, with the rule named and nothing sent, run or
 * leaked. (Finer-grained versions of each live in the modules' own tests; the 300 long polls against
 * {@code /healthz} are {@code LimitsIT} of the control plane, on the real server.)
 */
class SecurityIT {
  private static final Duration RUN = Duration.ofMinutes(3);
  private static final String CANARY = "canary-" + UUID.randomUUID();

  @TempDir static Path work;
  private static Cluster cluster;
  private static Cluster.Server server;
  private static String delegateToken;
  private static Cluster.Delegate delegate;

  @BeforeAll
  static void start() throws Exception {
    cluster = new Cluster(work);
    // Failed authentications are not slowed down here (SlowDownIT covers that; this class sends many),
    // and a stage no delegate may take fails within seconds.
    server = cluster.server("server", 0, Map.of("DBOPS_AUTH_FAILURE_LIMIT", "1000",
        "DBOPS_DISPATCH_DEADLINE_SECONDS", "10"));
    delegateToken = server.api().createToken("security");
    // The delegate's own environment holds a host credential that no pipeline may reach.
    delegate = cluster.delegate(server.url(), delegateToken, "security", "delegate",
        Map.of("E2E_PASSWORD", "not-a-secret-of-interest", "HOST_CLOUD_KEY", CANARY));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aClientWithoutCredentialsCannotMintTokensReadSecretsOrRunAnything() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String[] call : new String[][] {
        {"POST", "/api/v1/tokens", "{\"name\":\"rogue\"}"},
        {"GET", "/api/v1/secrets", null},
        {"PUT", "/api/v1/secrets/x", "{\"value\":\"v\"}"},
        {"POST", "/api/v1/executions", "{\"name\":\"p\",\"stages\":[]}"},
        {"GET", "/api/v1/executions", null},
        {"POST", "/api/v1/tasks", "{\"type\":\"noop\",\"payload\":{}}"},
        {"GET", "/api/v1/audit", null}}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + call[1]))
          .header("Content-Type", "application/json")
          .method(call[0], call[2] == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(call[2]));
      HttpResponse<String> anonymous = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).as(call[0] + " " + call[1] + ": " + anonymous.body()).isEqualTo(401);
      // a delegate token is no API token
      HttpResponse<String> asDelegate = http.send(request.header("Authorization", "Bearer " + delegateToken).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(asDelegate.statusCode()).as(call[0] + " " + call[1]).isEqualTo(401);
      assertThat(asDelegate.body()).doesNotContain(delegateToken);
    }
    // and the refusals on mutating routes are in the audit log
    String audit = Json.write(server.api().get("/api/v1/audit?limit=200"));
    assertThat(audit).contains("anonymous").contains("401");
  }

  @Test
  void theConfusedDeputyReadsNoOwnSecretAndDialsNoUnlistedHost() throws Exception {
    try (CountingServer stub = new CountingServer()) {
      String stubUrl = "jdbc:postgresql://127.0.0.1:" + stub.port() + "/db";
      // An allowed database, so that the secret source is what the delegate refuses: before it reads
      // the source, and before any pod or connection exists.
      String allowedUrl = "jdbc:postgresql://127.0.0.1:5432/postgres";
      String[][] attacks = {
          {allowedUrl, "env:DBOPS_TOKEN", "is never allowed (rule: secret sources; DBOPS_* variables"},
          {allowedUrl, "env:HOST_CLOUD_KEY", "is not allowed (rule: secret sources; to allow it add HOST_CLOUD_KEY"
              + " to DBOPS_ALLOW_SECRET_ENV on the delegate)"},
          {allowedUrl, "file:/proc/self/environ", "is never allowed (rule: secret sources; /proc"},
          {allowedUrl, "file:/etc/shadow", "is not allowed (rule: secret sources;"},
          // an allowed password source, but a host outside DBOPS_ALLOW_HOSTS: no delegate takes the stage
          {stubUrl, "env:E2E_PASSWORD", "Database host 127.0.0.1:" + stub.port() + " is not allowed (rule: hosts;"}};
      int n = 0;
      for (String[] attack : attacks) {
        DbopsProcess run = run(pipeline("deputy-" + n++, attack[0], "      passwordFrom: " + attack[1], "postgres",
            "step-sql.sql", "SELECT 1;"));
        assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
        assertThat(run.text()).as(attack[1]).contains(attack[2])
            .doesNotContain(delegateToken).doesNotContain(CANARY).doesNotContain("root:");
      }
      assertThat(stub.connections()).as("connections the stub database received").isZero();
    }
    assertThat(delegate.process().text()).doesNotContain(delegateToken).doesNotContain(CANARY);
  }

  @Test
  void h2InitAndExecuteCommandRunNothingOnTheHost() throws Exception {
    Path marker = work.resolve("pwned-" + UUID.randomUUID());
    DbopsProcess init = run(pipeline("h2-init", "jdbc:h2:mem:x;INIT=CALL FILE_WRITE('x', '" + marker + "')", "",
        "sa", "step-sql.sql", "SELECT 1;"));
    assertThat(init.exitCode()).as(init.text()).isEqualTo(1);
    assertThat(init.text()).contains("JDBC URL property INIT of h2 is never allowed");

    String h2 = "jdbc:h2:file:" + work.resolve("h2-exec/db");
    DbopsProcess exec = run(pipeline("h2-exec", h2, "", "sa", "changelog.xml", """
        <?xml version="1.0" encoding="UTF-8"?>
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
          <changeSet id="1" author="attacker">
            <executeCommand executable="/usr/bin/touch">
              <arg value="%s"/>
            </executeCommand>
          </changeSet>
        </databaseChangeLog>
        """.formatted(marker)));
    assertThat(exec.exitCode()).as(exec.text()).isEqualTo(1);
    assertThat(exec.text()).contains("executeCommand").contains("DBOPS_STEP_ALLOW_CHANGE_TYPES");
    assertThat(marker).doesNotExist();
  }

  @Test
  void aSecretHoldingANulByteIsRefusedByNameAndAppearsNowhere() throws Exception {
    Path value = work.resolve("nul-value");
    Files.write(value, ("before\0" + CANARY).getBytes(StandardCharsets.UTF_8));
    DbopsProcess secret = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1),
        "secret", "create", "nul-secret", "--from-file", value.toString(), "--server", server.url());
    Files.delete(value);
    assertThat(secret.exitCode()).as(secret.text()).isZero();

    DbopsProcess run = run(pipeline("nul", "jdbc:h2:mem:nul", "      passwordFrom: <+secrets.getValue(\"nul-secret\")>",
        "sa", "step-sql.sql", "SELECT 1;"));
    assertThat(run.exitCode()).as(run.text()).isEqualTo(1);
    assertThat(run.text()).contains("contains a NUL character").doesNotContain(CANARY);
    String execution = run.lines().stream().filter(l -> l.startsWith("Execution ")).findFirst()
        .orElseThrow().split(" ")[1];
    assertThat(Json.write(server.api().get("/api/v1/executions/" + execution))).doesNotContain(CANARY);
    assertThat(server.process().text()).doesNotContain(CANARY);
    assertThat(delegate.process().text()).doesNotContain(CANARY);
    try (Stream<Path> files = Files.walk(work)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(CANARY);
      }
    }
  }

  @Test
  void aDirectCallToALiteEngineWithoutThePodCredentialIsRefusedAndDialsNothing() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (CountingServer stepContainer = new CountingServer()) {
      DbopsProcess engine = DbopsProcess.start(work, Map.of(
          "DBOPS_POD_TOKEN", "pod-" + UUID.randomUUID(),
          "DBOPS_LITE_ENGINE_PORT", Integer.toString(port),
          "DBOPS_POD_STEP_PORTS", Integer.toString(stepContainer.port()),
          "DBOPS_LOG_SERVICE_URL", server.url()), "lite-engine");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> accepts(port));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
          ExecuteStepRequest request = ExecuteStepRequest.newBuilder().setStepPort(stepContainer.port())
              .setStep(StepRequest.newBuilder().setStepId("attack").setChangelog("x.sql"))
              .setLogStream(LogStream.newBuilder().setServiceUrl(server.url()).setKey("executions/x/s/a")
                  .setToken("t"))
              .build();
          assertThatThrownBy(() -> LiteEngineGrpc.newBlockingStub(channel)
              .withDeadlineAfter(30, TimeUnit.SECONDS).executeStep(request))
              .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription()).contains("pod credential");
              });
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        assertThat(stepContainer.connections()).as("calls forwarded to the step container").isZero();
        // and it listens on loopback only
        InetAddress other = nonLoopbackAddress();
        if (other != null) {
          assertThat(accepts(other, port)).as("reachable on " + other).isFalse();
        }
      } finally {
        engine.close();
      }
    }
  }

  @Test
  void theServersDataDirectoryAndItsFilesArePrivate() throws Exception {
    Path data = work.resolve("server");
    assertThat(mode(data)).isEqualTo("rwx------");
    assertThat(mode(data.resolve("admin.token"))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.walk(data)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
      }
    }
  }

  /** A one-stage pipeline whose step applies {@code changelogName}, written with {@code changelog}. */
  private static Path pipeline(String name, String url, String passwordLine, String username, String changelogName,
      String changelog) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve(changelogName), changelogName.endsWith(".sql")
        ? "--liquibase formatted sql\n--changeset e2e:1\n" + changelog + "\n" : changelog);
    List<String> lines = new ArrayList<>(List.of(
        "name: " + name,
        "stages:",
        "  - name: s",
        "    database:",
        "      url: \"" + url + "\"",
        "      username: " + username));
    if (!passwordLine.isEmpty()) {
      lines.add(passwordLine.replace("passwordFrom: ", "passwordFrom: '") + "'");
    }
    lines.addAll(List.of(
        "    steps:",
        "      - name: apply",
        "        type: apply",
        "        changelog: " + changelogName, ""));
    Path pipeline = dir.resolve("pipeline.yaml");
    Files.writeString(pipeline, String.join("\n", lines));
    return pipeline;
  }

  private static DbopsProcess run(Path pipeline) throws Exception {
    return DbopsProcess.run(work, Map.of(), RUN, "run", pipeline.toString(), "--server", server.url());
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static boolean accepts(int port) {
    return accepts(InetAddress.getLoopbackAddress(), port);
  }

  private static boolean accepts(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new java.net.InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static InetAddress nonLoopbackAddress() throws IOException {
    for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
        if (!address.isLoopbackAddress() && address instanceof java.net.Inet4Address) {
          return address;
        }
      }
    }
    return null;
  }
}
