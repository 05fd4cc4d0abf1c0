package io.dbops.step;

import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.step.config.StepRuntimeConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A step runtime on a real loopback port with the defaults (pod credential {@link
 * StepHarness#POD_TOKEN}, H2's password in {@link StepHarness#PASSWORD_ENV}), and a plaintext
 * channel to it, as the lite engine sees it. Shared by the ITs that talk TCP to it.
 */
final class TcpStepRuntime implements AutoCloseable {
  private final StepRuntime runtime;
  private final ManagedChannel channel;

  TcpStepRuntime() throws Exception {
    runtime = new StepRuntime(StepRuntimeConfig.defaults(0),
        StepHarness.withPodToken(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD)));
    runtime.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
  }

  int port() {
    return runtime.port();
  }

  ManagedChannel channel() {
    return channel;
  }

  /** A stub carrying the pod credential, with a deadline of {@code seconds}. */
  StepRunnerGrpc.StepRunnerBlockingStub stub(int seconds) {
    return StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor())
        .withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    runtime.close();
  }
}
