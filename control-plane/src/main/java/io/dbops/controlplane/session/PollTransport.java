package io.dbops.controlplane.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The long-poll side of a session: frames wait in a bounded queue until the delegate's next
 * {@code GET .../frames}. A delegate that lets more than {@link #MAX_PENDING} frames pile up is
 * closed (it is not polling).
 *
 * <p>A poll waits asynchronously ({@link #poll}): no thread is held while it waits. It completes,
 * always on the {@code waits} executor (never on the thread that sends a frame, so a sender never
 * writes an HTTP response), when a frame arrives, the transport closes, its wait ends, or a newer
 * poll of the same session replaces it (the older one gets no frames). Thread-safe.
 */
final class PollTransport implements Transport {
  static final int MAX_PENDING = 10_000;

  private final String remote;
  private final ScheduledExecutorService waits;
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  private boolean open = true; // guarded by this
  private int closeCode; // guarded by this
  private CompletableFuture<List<String>> waiter; // guarded by this
  private ScheduledFuture<?> waiterTimeout; // guarded by this

  /** @param waits completes polls and ends their waits; owned by the caller */
  PollTransport(String remote, ScheduledExecutorService waits) {
    this.remote = remote;
    this.waits = waits;
  }

  @Override
  public void send(String text) {
    CompletableFuture<List<String>> ready;
    List<String> frames;
    synchronized (this) {
      if (!open) {
        return;
      }
      if (pending.size() >= MAX_PENDING) {
        open = false;
        closeCode = 1008;
      } else {
        pending.add(text);
      }
      ready = takeWaiter();
      frames = ready == null ? null : drain();
    }
    complete(ready, frames);
  }

  /** Every pending frame, now (possibly none). Frames queued before a close are still returned. */
  synchronized List<String> drain() {
    List<String> frames = new ArrayList<>(pending);
    pending.clear();
    return frames;
  }

  /**
   * Completes with every pending frame as soon as there is one, or with none after
   * {@code waitMillis}, when the transport closes, or when a newer poll replaces this one.
   */
  CompletableFuture<List<String>> poll(long waitMillis) {
    CompletableFuture<List<String>> replaced;
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    synchronized (this) {
      replaced = takeWaiter();
      if (!pending.isEmpty() || !open || waitMillis <= 0) {
        result.complete(drain());
      } else {
        waiter = result;
        try {
          waiterTimeout = waits.schedule(() -> expire(result), waitMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
          waiter = null;
          result.complete(drain());
        }
      }
    }
    complete(replaced, List.of());
    return result;
  }

  private void expire(CompletableFuture<List<String>> expected) {
    List<String> frames;
    synchronized (this) {
      if (waiter != expected) {
        return;
      }
      waiter = null;
      waiterTimeout = null;
      frames = drain();
    }
    expected.complete(frames);
  }

  // guarded by this (callers hold it)
  private CompletableFuture<List<String>> takeWaiter() {
    CompletableFuture<List<String>> w = waiter;
    if (waiterTimeout != null) {
      waiterTimeout.cancel(false);
    }
    waiter = null;
    waiterTimeout = null;
    return w;
  }

  private void complete(CompletableFuture<List<String>> future, List<String> frames) {
    if (future == null) {
      return;
    }
    try {
      waits.execute(() -> future.complete(frames));
    } catch (RejectedExecutionException shuttingDown) {
      future.complete(frames);
    }
  }

  @Override
  public void close(int code, String reason) {
    CompletableFuture<List<String>> ready;
    List<String> frames;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      closeCode = code;
      ready = takeWaiter();
      frames = ready == null ? null : drain();
    }
    complete(ready, frames);
  }

  synchronized int closeCode() {
    return closeCode;
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public String remote() {
    return remote;
  }
}
