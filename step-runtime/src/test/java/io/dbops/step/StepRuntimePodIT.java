package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbops.config.ConfigException;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.support.PodCredential;
import io.dbops.testsupport.Ports;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step runtime accepts calls only with the pod credential, on loopback unless told otherwise (contracts A, B). */
class StepRuntimePodIT {
  private static final String REFUSAL = "missing or wrong pod credential (authorization: Bearer <DBOPS_POD_TOKEN>);"
      + " only this pod's delegate may call it";
  @TempDir Path tmp;
  private TcpStepRuntime server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = new TcpStepRuntime();
    channel = server.channel();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void refusesAStepWithoutThePodCredentialAndRunsNothing() throws Exception {
    Path canary = tmp.resolve("never");
    var request = StepHarness.request(StepKind.STEP_KIND_APPLY, "xml/changelog.xml",
        "jdbc:h2:file:" + canary + ";DB_CLOSE_DELAY=0", "sa").build();

    assertThatThrownBy(() -> StepRunnerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .execute(request).hasNext())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).isEqualTo(REFUSAL);
        });
    assertThat(tmp.resolve("never.mv.db")).doesNotExist();
  }

  @Test
  void refusesAStopWithAnotherCredential() {
    assertThatThrownBy(() -> StepRunnerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(PodCredential.of("guessed").clientInterceptor())
        .stop(StopStepRequest.newBuilder().setStepId("x").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).isEqualTo(REFUSAL);
        });
  }

  @Test
  void answersHealthChecksWithoutACredential() {
    assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void refusesToStartWithoutThePodCredential() {
    assertThatThrownBy(() -> new StepRuntime(StepRuntimeConfig.defaults(0), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e ->
            assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p).startsWith("DBOPS_POD_TOKEN must be set")));
  }

  @Test
  void listensOnLoopbackOnlyByDefault() throws Exception {
    InetAddress external = Ports.nonLoopbackIpv4().orElse(null);
    assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
    try (Socket loopback = new Socket()) {
      loopback.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
    }
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(external, server.port()), 5_000);
      }
    }).as("connection to %s:%d", external.getHostAddress(), server.port()).isInstanceOf(java.io.IOException.class);
  }
}
