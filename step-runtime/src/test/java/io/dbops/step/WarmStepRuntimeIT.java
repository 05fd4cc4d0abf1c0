package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.support.PodCredential;
import io.dbops.support.WarmStart;
import io.dbops.testsupport.ChildJvm;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A warm step runtime ({@code DBOPS_WARM_START=stdin}) in its own JVM: bound, used, released and
 * bound again with another credential and port, against a fresh PostgreSQL database; its end of
 * input and SIGTERM; a binding's invalid configuration.
 */
class WarmStepRuntimeIT {
  private static final Duration GENEROUS = Duration.ofSeconds(180);
  private static final String CANARY = "canary-w4rm-s3cr3t-91c";
  private static final String PASSWORD_ENV = "WARM_DB_PASSWORD";
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void servesOneBindingAfterAnotherEachWithItsOwnCredentialPortAndSecrets() throws Exception {
    TestDatabase db = closeLater(TestDatabases.create(TestDatabases.Kind.POSTGRES));
    ChildJvm process = warmProcess();

    int p1 = freePort();
    process.writeLine(WarmStart.bindLine(binding("t1-0123456789abcdef", p1, db, Map.of())));
    awaitLine(process, "dbops step runtime listening on port " + p1);
    ManagedChannel first = channel(p1);
    assertThat(health(first)).isEqualTo(ServingStatus.SERVING);
    StepResult applied = run(first, "t1-0123456789abcdef", request(StepKind.STEP_KIND_APPLY, "apply-1", db));
    assertThat(applied.getStatus()).as(applied.getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(applied.getChangesetsCount()).isEqualTo(3);
    assertThat(db.tableExists("orders")).isTrue();

    process.writeLine(WarmStart.releaseLine());
    awaitLine(process, "dbops step runtime released");
    assertThat(connectionsOfOthers(db)).as("connections to the target after the release").isZero();
    try (ServerSocket reuse = new ServerSocket(p1, 50, InetAddress.getLoopbackAddress())) {
      assertThat(reuse.getLocalPort()).as("the first binding's port is free again").isEqualTo(p1);
    }

    int p2 = freePort();
    process.writeLine(WarmStart.bindLine(binding("t2-fedcba9876543210", p2, db, Map.of("WARM_CANARY", CANARY))));
    awaitLine(process, "dbops step runtime listening on port " + p2);
    ManagedChannel second = channel(p2);
    assertThatThrownBy(() -> run(second, "t1-0123456789abcdef", request(StepKind.STEP_KIND_STATUS, "status-t1", db)))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    // The step id carries the canary into the daemon log ("Step <id> started: STATUS").
    StepResult status = run(second, "t2-fedcba9876543210", request(StepKind.STEP_KIND_STATUS, "status-" + CANARY, db));
    assertThat(status.getStatus()).as(status.getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    await().atMost(GENEROUS).until(() -> process.output().stream().anyMatch(l -> l.contains("started: STATUS")));
    assertThat(process.outputText()).doesNotContain(CANARY);

    process.closeStdin(); // bound: the end of input is ignored
    StepResult again = run(second, "t2-fedcba9876543210", request(StepKind.STEP_KIND_STATUS, "status-after-eof", db));
    assertThat(again.getStatus()).as(again.getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(process.isAlive()).isTrue();

    process.terminate();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
    assertThat(connectionsOfOthers(db)).as("connections to the target after SIGTERM").isZero();
    assertThat(process.outputText()).doesNotContain(CANARY);
  }

  @Test
  void liquibaseSeesTheBindingsVariablesAsAColdProcessSeesItsEnvironment() throws Exception {
    TestDatabase db = closeLater(TestDatabases.create(TestDatabases.Kind.POSTGRES));
    ChildJvm process = warmProcess();
    int port = freePort();
    process.writeLine(WarmStart.bindLine(binding("t1-0123456789abcdef", port, db,
        Map.of("WARM_TABLE", "from_binding", "LIQUIBASE_DATABASE_CHANGELOG_TABLE_NAME", "warm_history"))));
    awaitLine(process, "dbops step runtime listening on port " + port);

    StepRequest request = StepRequest.newBuilder(request(StepKind.STEP_KIND_APPLY, "apply-env", db))
        .setChangelog("envparam/changelog.xml").build();
    StepResult applied = run(channel(port), "t1-0123456789abcdef", request);

    assertThat(applied.getStatus()).as(applied.getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(db.tableExists("from_binding")).as("${WARM_TABLE} from the binding").isTrue();
    assertThat(db.tableExists("warm_history")).as("LIQUIBASE_DATABASE_CHANGELOG_TABLE_NAME from the binding")
        .isTrue();
  }

  @Test
  void endOfInputWhileNotBoundEndsTheProcessWithZero() throws Exception {
    ChildJvm process = warmProcess();
    process.closeStdin();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
  }

  @Test
  void endOfInputAfterAReleaseEndsTheProcessWithZero() throws Exception {
    ChildJvm process = warmProcess();
    int port = freePort();
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, "t1-0123456789abcdef",
        "DBOPS_STEP_PORT", Integer.toString(port))));
    awaitLine(process, "dbops step runtime listening on port " + port);
    process.writeLine(WarmStart.releaseLine());
    awaitLine(process, "dbops step runtime released");
    process.closeStdin();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
  }

  @Test
  void aBindingWithInvalidConfigurationEndsTheProcessWith78NamingTheVariableButNoValue() throws Exception {
    ChildJvm process = warmProcess();
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, CANARY, "DBOPS_STEP_PORT", "not-a-port",
        "WARM_CANARY", CANARY, MaskEnvironment.VARIABLE, "WARM_CANARY")));
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isEqualTo(78);
    assertThat(process.outputText()).contains("DBOPS_STEP_PORT").doesNotContain(CANARY);
  }

  private ChildJvm warmProcess() throws Exception {
    ChildJvm process = closeLater(ChildJvm.start(StepRuntimeMain.class.getName(),
        Map.of(WarmStart.VARIABLE, WarmStart.STDIN), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1")));
    awaitLine(process, WarmStart.warmLine("step runtime"));
    return process;
  }

  /** A binding as the delegate sends it: credential, port, the database password, secrets named for masking. */
  private static Map<String, String> binding(String token, int port, TestDatabase db, Map<String, String> secrets) {
    Map<String, String> env = new HashMap<>(secrets);
    env.put(PodCredential.ENV, token);
    env.put("DBOPS_STEP_PORT", Integer.toString(port));
    env.put(PASSWORD_ENV, db.password());
    List<String> masked = new ArrayList<>(secrets.keySet());
    masked.add(PodCredential.ENV);
    masked.add(PASSWORD_ENV);
    env.put(MaskEnvironment.VARIABLE, MaskEnvironment.names(masked));
    return env;
  }

  private static StepRequest request(StepKind kind, String stepId, TestDatabase db) {
    return StepRequest.newBuilder()
        .setStepId(stepId)
        .setKind(kind)
        .setChangelog("warm/changelog.xml")
        .setSearchPath(StepHarness.changelogs().toString())
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl(db.jdbcUrl()).setUsername(db.username())
            .setPasswordEnv(db.password().isEmpty() ? "" : PASSWORD_ENV))
        .build();
  }

  private StepResult run(ManagedChannel channel, String token, StepRequest request) {
    return StepHarness.collect(StepRunnerGrpc.newBlockingStub(channel)
        .withInterceptors(PodCredential.of(token).clientInterceptor())
        .withDeadlineAfter(GENEROUS.toSeconds(), TimeUnit.SECONDS).execute(request)).result();
  }

  private static ServingStatus health(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(GENEROUS.toSeconds(), TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
  }

  /** Sessions on the test database other than the asking one, once none is left (or the count after the wait). */
  private static long connectionsOfOthers(TestDatabase db) throws Exception {
    String sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong(sql) == 0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // reported by the caller's assertion, with the count
    }
    return db.queryLong(sql);
  }

  private ManagedChannel channel(int port) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    closing.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return channel;
  }

  private static void awaitLine(ChildJvm process, String line) {
    await().atMost(GENEROUS).failFast(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("the process ended before printing '" + line + "':\n" + process.outputText());
      }
    }).until(() -> process.output().contains(line));
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    closing.add(resource);
    return resource;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
