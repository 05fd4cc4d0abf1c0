package io.dbops.liteengine;

import io.dbops.proto.v1.LogLevel;
import io.dbops.proto.v1.LogLine;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.proto.v1.StopStepResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A step container for tests, on a real socket: streams scripted log lines and a result, or (with
 * {@link #blockUntilStopped}) waits for Stop.
 */
final class ScriptedStepRunner extends StepRunnerGrpc.StepRunnerImplBase implements AutoCloseable {
  final AtomicReference<Deadline> lastDeadline = new AtomicReference<>();
  final AtomicReference<StepRequest> lastRequest = new AtomicReference<>();
  final CountDownLatch executing = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<String> lines;
  private final StepResult result;
  private final boolean blockUntilStopped;
  private Server server;

  ScriptedStepRunner(List<String> lines, StepResult result, boolean blockUntilStopped) {
    this.lines = lines;
    this.result = result;
    this.blockUntilStopped = blockUntilStopped;
  }

  static StepResult succeeded() {
    return StepResult.newBuilder()
        .setStatus(StepStatus.STEP_STATUS_SUCCEEDED)
        .putOutputs("changesetsApplied", "2")
        .setDurationMillis(42)
        .build();
  }

  ScriptedStepRunner start() throws IOException {
    return start(0);
  }

  /** Serves on {@code port} (0: any), refusing calls without the test pod's credential, as a step runtime does. */
  ScriptedStepRunner start(int port) throws IOException {
    return start(port, TestPod.CREDENTIAL);
  }

  /** Serves on {@code port} (0: any), refusing calls without {@code credential}, as a step runtime does. */
  ScriptedStepRunner start(int port, io.dbops.support.PodCredential credential) throws IOException {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", port))
        .intercept(credential.serverInterceptor())
        .addService(this).addService(health.getHealthService()).build().start();
    return this;
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void execute(StepRequest request, StreamObserver<StepEvent> events) {
    lastRequest.set(request);
    lastDeadline.set(Context.current().getDeadline());
    executing.countDown();
    for (String text : lines) {
      events.onNext(StepEvent.newBuilder()
          .setLog(LogLine.newBuilder().setLevel(LogLevel.LOG_LEVEL_INFO).setText(text).setTimestampMillis(1000))
          .build());
    }
    if (blockUntilStopped) {
      try {
        stopped.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      events.onNext(StepEvent.newBuilder()
          .setResult(StepResult.newBuilder().setStatus(StepStatus.STEP_STATUS_ABORTED).setError("stopped"))
          .build());
    } else {
      events.onNext(StepEvent.newBuilder().setResult(result).build());
    }
    events.onCompleted();
  }

  @Override
  public void stop(StopStepRequest request, StreamObserver<StopStepResponse> responses) {
    stopped.countDown();
    responses.onNext(StopStepResponse.newBuilder().setStopped(true).build());
    responses.onCompleted();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
