package io.dbops.liteengine;

import io.dbops.proto.v1.LogLevel;
import io.dbops.proto.v1.LogLine;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A step container that prints "line 1", "line 2", ... continuously (a burst every few
 * milliseconds) until {@link #finish} is called or the caller goes away, then sends a result.
 */
final class ContinuousStepRunner extends StepRunnerGrpc.StepRunnerImplBase implements AutoCloseable {
  final AtomicLong printed = new AtomicLong();
  final CountDownLatch executing = new CountDownLatch(1);
  private final AtomicBoolean finish = new AtomicBoolean();
  private final int linesPerBurst;
  private final long burstMillis;
  private Server server;

  ContinuousStepRunner(int linesPerBurst, long burstMillis) {
    this.linesPerBurst = linesPerBurst;
    this.burstMillis = burstMillis;
  }

  ContinuousStepRunner start() throws IOException {
    server = NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
        .intercept(TestPod.CREDENTIAL.serverInterceptor()).addService(this).build().start();
    return this;
  }

  int port() {
    return server.getPort();
  }

  /** Stops printing; the step then ends SUCCEEDED. */
  void finish() {
    finish.set(true);
  }

  @Override
  public void execute(StepRequest request, StreamObserver<StepEvent> events) {
    ServerCallStreamObserver<StepEvent> call = (ServerCallStreamObserver<StepEvent>) events;
    executing.countDown();
    try {
      while (!finish.get() && !call.isCancelled()) {
        for (int i = 0; i < linesPerBurst; i++) {
          long n = printed.incrementAndGet();
          call.onNext(StepEvent.newBuilder().setLog(LogLine.newBuilder().setLevel(LogLevel.LOG_LEVEL_INFO)
              .setText("line " + n).setTimestampMillis(System.currentTimeMillis())).build());
        }
        TimeUnit.MILLISECONDS.sleep(burstMillis); // a step that prints at a steady pace
      }
      if (!call.isCancelled()) {
        call.onNext(StepEvent.newBuilder().setResult(StepResult.newBuilder()
            .setStatus(StepStatus.STEP_STATUS_SUCCEEDED)).build());
        call.onCompleted();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // the caller went away (lite engine killed)
    }
  }

  @Override
  public void close() throws InterruptedException {
    finish();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
