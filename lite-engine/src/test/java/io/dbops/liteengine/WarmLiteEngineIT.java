package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dbops.api.LogPage;
import io.dbops.liteengine.config.ForwardingRules;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.support.PodCredential;
import io.dbops.support.Secrets;
import io.dbops.support.WarmStart;
import io.dbops.testsupport.ChildJvm;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm lite engine ({@code DBOPS_WARM_START=stdin}) in its own JVM: bound, used (real step
 * containers over gRPC, the real log service over HTTP), released and bound again with another
 * credential, port, step container and secrets; its end of input and SIGTERM; a binding's invalid
 * configuration.
 */
class WarmLiteEngineIT {
  private static final Duration GENEROUS = Duration.ofSeconds(180);
  private static final String EXECUTION = "ex-warm";
  private static final String CANARY = "canary-w4rm-engine-5e7";
  private static final String T1 = "t1-0123456789abcdef";
  private static final String T2 = "t2-fedcba9876543210";
  @TempDir Path work;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private RealLogService service;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void servesOneBindingAfterAnotherEachWithItsOwnCredentialPortAndSecrets() throws Exception {
    service = closeLater(new RealLogService(work.resolve("cp"), null, null).start());
    service.execution(EXECUTION, "RUNNING");
    ScriptedStepRunner step1 = closeLater(new ScriptedStepRunner(List.of("one", "two"), ScriptedStepRunner.succeeded(),
        false).start(0, PodCredential.of(T1)));
    ScriptedStepRunner step2 = closeLater(new ScriptedStepRunner(List.of("the secret is " + CANARY, "done"),
        ScriptedStepRunner.succeeded(), false).start(0, PodCredential.of(T2)));
    ChildJvm process = warmProcess();

    int p1 = freePort();
    process.writeLine(WarmStart.bindLine(binding(T1, p1, step1.port(), "spool-1", Map.of())));
    awaitLine(process, "dbops lite engine listening on port " + p1);
    ManagedChannel first = channel(p1);
    assertThat(health(first)).isEqualTo(ServingStatus.SERVING);
    ExecuteStepResponse one = execute(first, T1, step1.port(), "apply-1");
    assertThat(one.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(stored("apply-1")).containsExactly("one", "two");

    process.writeLine(WarmStart.releaseLine());
    awaitLine(process, "dbops lite engine released");
    try (ServerSocket reuse = new ServerSocket(p1, 50, InetAddress.getLoopbackAddress())) {
      assertThat(reuse.getLocalPort()).as("the first binding's port is free again").isEqualTo(p1);
    }

    int p2 = freePort();
    process.writeLine(WarmStart.bindLine(binding(T2, p2, step2.port(), "spool-2", Map.of("WARM_CANARY", CANARY))));
    awaitLine(process, "dbops lite engine listening on port " + p2);
    ManagedChannel second = channel(p2);
    assertThatThrownBy(() -> execute(second, T1, step2.port(), "refused"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> execute(second, T2, step1.port(), "not-this-pods-step"))
        .as("the first binding's step port is not this binding's")
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    // The step id carries the canary into the daemon log ("Running step <id> on step container ...").
    ExecuteStepResponse two = execute(second, T2, step2.port(), "apply-" + CANARY);
    assertThat(two.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(stored("apply-" + CANARY)).containsExactly("the secret is " + Secrets.MASK, "done");
    await().atMost(GENEROUS).until(() -> process.output().stream().anyMatch(l -> l.contains("Running step")
        && l.contains(String.valueOf(step2.port()))));
    assertThat(process.outputText()).doesNotContain(CANARY);

    process.closeStdin(); // bound: the end of input is ignored
    assertThat(execute(second, T2, step2.port(), "after-eof").getResult().getStatus())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    assertThat(process.isAlive()).isTrue();

    process.terminate();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
    assertThat(process.outputText()).doesNotContain(CANARY);
  }

  @Test
  void endOfInputWhileNotBoundEndsTheProcessWithZero() throws Exception {
    ChildJvm process = warmProcess();
    process.closeStdin();
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isZero();
  }

  @Test
  void aBindingWithInvalidConfigurationEndsTheProcessWith78NamingTheVariableButNoValue() throws Exception {
    ChildJvm process = warmProcess();
    process.writeLine(WarmStart.bindLine(Map.of(PodCredential.ENV, CANARY, "DBOPS_LITE_ENGINE_PORT", "0",
        "WARM_CANARY", CANARY, MaskEnvironment.VARIABLE, "WARM_CANARY")));
    assertThat(process.awaitExit(GENEROUS.toSeconds())).as(process.outputText()).isEqualTo(78);
    assertThat(process.outputText()).contains(ForwardingRules.LOG_SERVICE_URL).doesNotContain(CANARY);
  }

  private ChildJvm warmProcess() throws Exception {
    ChildJvm process = closeLater(ChildJvm.start(LiteEngineMain.class.getName(),
        Map.of(WarmStart.VARIABLE, WarmStart.STDIN), List.of("-Xmx128m", "-XX:TieredStopAtLevel=1")));
    awaitLine(process, WarmStart.warmLine("lite engine"));
    return process;
  }

  /** A binding as the delegate sends it: credential, ports, log service, the pod's own spool, secrets named for masking. */
  private Map<String, String> binding(String token, int port, int stepPort, String spool, Map<String, String> secrets) {
    Map<String, String> env = new HashMap<>(secrets);
    env.put(PodCredential.ENV, token);
    env.put("DBOPS_LITE_ENGINE_PORT", Integer.toString(port));
    env.put(ForwardingRules.STEP_PORTS, Integer.toString(stepPort));
    env.put(ForwardingRules.LOG_SERVICE_URL, service.url());
    env.put("DBOPS_LOG_SPOOL_DIR", work.resolve(spool).toString());
    List<String> masked = new ArrayList<>(secrets.keySet());
    masked.add(PodCredential.ENV);
    env.put(MaskEnvironment.VARIABLE, MaskEnvironment.names(masked));
    return env;
  }

  private ExecuteStepResponse execute(ManagedChannel channel, String token, int stepPort, String name) {
    String stream = "executions/" + EXECUTION + "/dev/" + name;
    ExecuteStepRequest request = ExecuteStepRequest.newBuilder()
        .setStepPort(stepPort)
        .setStep(StepRequest.newBuilder().setStepId(EXECUTION + "/dev/" + name).setKind(StepKind.STEP_KIND_APPLY)
            .setChangelog("c.xml"))
        .setLogStream(LogStream.newBuilder().setServiceUrl(service.url()).setKey(stream)
            .setToken(service.tokenFor(stream)))
        .build();
    return LiteEngineGrpc.newBlockingStub(channel).withInterceptors(PodCredential.of(token).clientInterceptor())
        .withDeadlineAfter(GENEROUS.toSeconds(), TimeUnit.SECONDS).executeStep(request);
  }

  private List<String> stored(String name) throws InterruptedException {
    return service.lines(EXECUTION, "executions/" + EXECUTION + "/dev/" + name).stream().map(LogPage.Line::text)
        .collect(Collectors.toList());
  }

  private static ServingStatus health(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(GENEROUS.toSeconds(), TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
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
