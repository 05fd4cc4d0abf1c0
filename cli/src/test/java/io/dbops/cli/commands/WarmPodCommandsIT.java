package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.support.PodCredential;
import io.dbops.support.WarmStart;
import io.dbops.testsupport.ChildJvm;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbops lite-engine} and {@code dbops step-runtime} (what the delegate starts) in warm mode:
 * routed to the warm process, each binding with its own masking and logging settings.
 */
class WarmPodCommandsIT {
  private static final Duration GENEROUS = Duration.ofSeconds(180);
  private static final String CANARY = "canary-w4rm-cli-0d2";
  private static final String TOKEN = "cli-pod-credential-0123456789";
  @TempDir Path work;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void stepRuntimeServesABindingWithItsLogLevelAndMasksItsSecretsInTheLog() throws Exception {
    ChildJvm process = warm("step-runtime", "step runtime");
    int port = freePort();
    // The binding's logging settings (json lines), as a cold process started with them would log.
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, TOKEN, "DBOPS_STEP_PORT", Integer.toString(port),
        "DBOPS_LOG_FORMAT", "json", "WARM_CANARY", CANARY, MaskEnvironment.VARIABLE, "DBOPS_POD_TOKEN,WARM_CANARY")));
    awaitLine(process, "dbops step runtime listening on port " + port);

    Files.writeString(work.resolve("changelog.xml"), CHANGELOG);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    closing.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    // The step id carries the canary into the daemon log ("Step <id> started: STATUS").
    StepResult result = status(channel, "status-" + CANARY);
    assertThat(result.getStatus()).as(result.getError()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    await().atMost(GENEROUS).until(() -> process.output().stream()
        .anyMatch(l -> l.startsWith("{") && l.contains("started: STATUS")));
    assertThat(process.outputText()).doesNotContain(CANARY);

    process.writeLine(WarmStart.releaseLine());
    awaitLine(process, "dbops step runtime released");
    process.closeStdin();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
    assertThat(process.outputText()).doesNotContain(CANARY);
  }

  @Test
  void liteEngineServesABindingAndEndsWithZeroAtTheEndOfInputOnceReleased() throws Exception {
    ChildJvm process = warm("lite-engine", "lite engine");
    int port = freePort();
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, TOKEN, "DBOPS_LITE_ENGINE_PORT",
        Integer.toString(port), "DBOPS_POD_STEP_PORTS", "none", "DBOPS_LOG_SERVICE_URL", "http://127.0.0.1:9",
        "DBOPS_LOG_SPOOL_DIR", work.resolve("spool").toString())));
    awaitLine(process, "dbops lite engine listening on port " + port);
    process.writeLine(WarmStart.releaseLine());
    awaitLine(process, "dbops lite engine released");
    process.closeStdin();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
  }

  @Test
  void aBindingWithInvalidConfigurationEndsTheCommandWith78() throws Exception {
    ChildJvm process = warm("step-runtime", "step runtime");
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, CANARY, "DBOPS_STEP_PORT", "not-a-port")));
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isEqualTo(78);
    assertThat(process.outputText()).contains("DBOPS_STEP_PORT");
  }

  private ChildJvm warm(String command, String role) throws Exception {
    ChildJvm process = ChildJvm.start("io.dbops.cli.Main", Map.of(WarmStart.VARIABLE, WarmStart.STDIN),
        List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), List.of(command));
    closing.add(process);
    awaitLine(process, WarmStart.warmLine(role));
    return process;
  }

  private StepResult status(ManagedChannel channel, String stepId) {
    StepRequest request = StepRequest.newBuilder()
        .setStepId(stepId)
        .setKind(StepKind.STEP_KIND_STATUS)
        .setChangelog("changelog.xml")
        .setSearchPath(work.toString())
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl("jdbc:h2:file:" + work.resolve("db")).setUsername("sa"))
        .build();
    Iterator<StepEvent> events = StepRunnerGrpc.newBlockingStub(channel)
        .withInterceptors(PodCredential.of(TOKEN).clientInterceptor())
        .withDeadlineAfter(GENEROUS.toSeconds(), TimeUnit.SECONDS).execute(request);
    StepResult result = null;
    while (events.hasNext()) {
      StepEvent event = events.next();
      if (event.hasResult()) {
        result = event.getResult();
      }
    }
    return result;
  }

  private static void awaitLine(ChildJvm process, String line) {
    await().atMost(GENEROUS).failFast(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("the process ended before printing '" + line + "':\n" + process.outputText());
      }
    }).until(() -> process.output().contains(line));
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static final String CHANGELOG = """
      <?xml version="1.0" encoding="UTF-8"?>
      <databaseChangeLog
          xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd">
        <changeSet id="cli-1" author="dave">
          <createTable tableName="cli_table"><column name="id" type="int"/></createTable>
        </changeSet>
      </databaseChangeLog>
      """;
}
