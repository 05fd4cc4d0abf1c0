package io.dbops.liteengine.step;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One plaintext gRPC channel per step container ({@code host:port}), opened on first use and kept
 * for the life of the pod. Thread-safe. {@link #close} shuts every channel down; channels handed
 * out must not be closed by callers.
 */
public final class StepChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The channel to {@code host:port}, ready for a call. */
  public ManagedChannel channel(String host, int port) {
    if (closed.get()) {
      throw new IllegalStateException("Step channels are closed");
    }
    ManagedChannel channel =
        channels.computeIfAbsent(
            host + ":" + port, key -> NettyChannelBuilder.forAddress(host, port).usePlaintext().build());
    // A container that was down a moment ago may be up now: do not wait out the channel's
    // reconnect backoff (which grows to minutes) before trying again.
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
    return channel;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    channels.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : channels.values()) {
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    channels.clear();
  }
}
