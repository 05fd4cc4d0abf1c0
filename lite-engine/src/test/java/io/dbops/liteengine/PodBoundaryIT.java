package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.support.PodCredential;
import io.dbops.testsupport.Ports;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lite engine accepts calls only from its delegate and calls only its own pod's step
 * containers and log service (contracts A, B, C). The engine runs on an in-process server; a
 * counting socket on 127.0.0.1 stands for any step container it must not dial, a web server for
 * any log service it must not reach.
 */
class PodBoundaryIT {
  @TempDir Path spoolDir;
  private final MockWebServer logService = new MockWebServer();
  private final MockWebServer otherLogService = new MockWebServer();
  private final AtomicInteger dialled = new AtomicInteger();
  private ServerSocket stepStub;
  private Thread acceptor;
  private int podStepPort;
  private LiteEngine engine;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    logService.start();
    otherLogService.start();
    // Counts every connection on any address at this port (0.0.0.0 covers 127.0.0.1 and 127.0.0.2).
    stepStub = new ServerSocket();
    stepStub.bind(new InetSocketAddress("0.0.0.0", 0));
    acceptor = new Thread(() -> {
      while (!stepStub.isClosed()) {
        try (Socket ignored = stepStub.accept()) {
          dialled.incrementAndGet();
        } catch (Exception closed) {
          return;
        }
      }
    }, "step-stub");
    acceptor.setDaemon(true);
    acceptor.start();
    podStepPort = TestPod.freePort();
    String name = "lite-engine-" + UUID.randomUUID();
    engine = new LiteEngine(TestPod.config(spoolDir, logService.url("/").toString(), podStepPort),
        InProcessServerBuilder.forName(name));
    engine.start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    engine.close();
    stepStub.close();
    logService.shutdown();
    otherLogService.shutdown();
  }

  @Test
  void refusesACallWithoutThePodCredential() {
    var stub = LiteEngineGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);

    assertUnauthenticated(() -> stub.executeStep(request("", podStepPort, logService.url("/").toString())));
    assertThat(dialled).hasValue(0);
    assertThat(logService.getRequestCount()).isZero();
  }

  @Test
  void refusesACallWithAnotherCredential() {
    var stub = LiteEngineGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .withInterceptors(PodCredential.of(TestPod.TOKEN + "x").clientInterceptor());

    assertUnauthenticated(() -> stub.executeStep(request("", podStepPort, logService.url("/").toString())));
  }

  @Test
  void answersHealthChecksWithoutACredential() {
    var response = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
    assertThat(response.getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void refusesAStepOnAnotherHostWithoutDiallingIt() {
    assertPermissionDenied(request("127.0.0.2", stepStub.getLocalPort(), logService.url("/").toString()),
        "step container 127.0.0.2:" + stepStub.getLocalPort() + " is not one of this pod's (rule: pod step containers;"
            + " the lite engine forwards only to 127.0.0.1 on the ports of DBOPS_POD_STEP_PORTS=" + podStepPort + ")");
    assertPermissionDenied(request("attacker.example", podStepPort, logService.url("/").toString()),
        "step container attacker.example:" + podStepPort + " is not one of this pod's");
  }

  @Test
  void refusesAStepOnAnotherPortWithoutDiallingIt() {
    assertPermissionDenied(request("127.0.0.1", stepStub.getLocalPort(), logService.url("/").toString()),
        "step container 127.0.0.1:" + stepStub.getLocalPort() + " is not one of this pod's (rule: pod step containers");
    assertPermissionDenied(request("", stepStub.getLocalPort(), logService.url("/").toString()),
        "DBOPS_POD_STEP_PORTS=" + podStepPort);
  }

  @Test
  void refusesAnotherLogServiceWithoutSendingItAnything() {
    String other = otherLogService.url("/").toString();
    assertPermissionDenied(request("localhost", podStepPort, other),
        "log service '" + other + "' is not this pod's (rule: log service; the lite engine ships logs only to"
            + " DBOPS_LOG_SERVICE_URL=" + logService.url("/").toString().replaceAll("/$", "") + ")");
    assertThat(otherLogService.getRequestCount()).isZero();
    assertThat(logService.getRequestCount()).isZero();
  }

  @Test
  void listensOnLoopbackOnlyByDefault() throws Exception {
    InetAddress external = Ports.nonLoopbackIpv4().orElse(null);
    assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
    try (LiteEngine tcp = new LiteEngine(TestPod.config(spoolDir, logService.url("/").toString(), podStepPort))) {
      tcp.start();
      try (Socket loopback = new Socket()) {
        loopback.connect(new InetSocketAddress("127.0.0.1", tcp.port()), 5_000);
      }
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(external, tcp.port()), 5_000);
        }
      }).as("connection to %s:%d", external.getHostAddress(), tcp.port()).isInstanceOf(java.io.IOException.class);
      ManagedChannel tcpChannel = NettyChannelBuilder.forAddress("127.0.0.1", tcp.port()).usePlaintext().build();
      try {
        assertUnauthenticated(() -> LiteEngineGrpc.newBlockingStub(tcpChannel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .executeStep(request("", podStepPort, logService.url("/").toString())));
      } finally {
        tcpChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private void assertPermissionDenied(ExecuteStepRequest request, String message) {
    var stub = LiteEngineGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(TestPod.credential());
    assertThatThrownBy(() -> stub.executeStep(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains(message);
        });
    assertThat(dialled).as("connections to the stub step container").hasValue(0);
  }

  private static void assertUnauthenticated(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(e.getStatus().getDescription()).isEqualTo("missing or wrong pod credential (authorization: Bearer"
          + " <DBOPS_POD_TOKEN>); only this pod's delegate may call it");
    });
  }

  private static ExecuteStepRequest request(String host, int port, String serviceUrl) {
    return ExecuteStepRequest.newBuilder()
        .setStepHost(host)
        .setStepPort(port)
        .setStep(StepRequest.newBuilder().setStepId("e1/dev/apply").setKind(StepKind.STEP_KIND_APPLY)
            .setChangelog("db/changelog.xml"))
        .setLogStream(LogStream.newBuilder().setServiceUrl(serviceUrl).setKey("executions/e1/stages/dev/steps/apply")
            .setToken("log-token"))
        .build();
  }
}
