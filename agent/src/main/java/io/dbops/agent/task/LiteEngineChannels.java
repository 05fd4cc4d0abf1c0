package io.dbops.agent.task;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One plaintext gRPC channel per lite engine address ({@code host:port}), kept while the delegate
 * runs. Thread-safe; {@link #close} (idempotent) shuts them down. Callers never close a channel.
 */
public final class LiteEngineChannels implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  ManagedChannel channel(String address) {
    if (closed.get()) {
      throw new IllegalStateException("The delegate is shutting down");
    }
    return channels.computeIfAbsent(address, a -> {
      int colon = a.lastIndexOf(':');
      if (colon <= 0 || colon == a.length() - 1) {
        throw new IllegalArgumentException("Lite engine address '" + a + "' is not host:port");
      }
      return NettyChannelBuilder.forAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)))
          .usePlaintext()
          .build();
    });
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
  }
}
