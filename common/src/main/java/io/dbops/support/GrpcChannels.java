package io.dbops.support;

import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One plaintext gRPC channel per {@code host:port} inside a build pod (lite engine, step
 * containers), opened on first use and kept until {@link #close}. Thread-safe. Callers never close
 * a channel they were handed; {@link #close} (idempotent) shuts them all down.
 */
public final class GrpcChannels implements AutoCloseable {
  private final String purpose;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** @param purpose what the channels reach, for error messages, e.g. "lite engine" */
  public GrpcChannels(String purpose) {
    this.purpose = purpose;
  }

  /** The channel to an address written {@code host:port}. */
  public ManagedChannel channel(String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("The " + purpose + " address '" + address + "' is not host:port");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The " + purpose + " address '" + address + "' has no numeric port");
    }
    return channel(address.substring(0, colon), port);
  }

  /** The channel to {@code host:port}, ready for a call. */
  public ManagedChannel channel(String host, int port) {
    if (closed.get()) {
      throw new IllegalStateException("Channels to the " + purpose + " are closed");
    }
    ManagedChannel channel = channels.computeIfAbsent(host + ":" + port,
        key -> Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build());
    // A server that was down a moment ago may be up now: do not wait out the channel's reconnect
    // backoff (which grows to minutes) before trying again.
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
