package io.dbops.controlplane.session;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The long-poll side of a session: frames wait in a bounded queue until the delegate's next
 * {@code GET .../frames}. A delegate that lets more than {@link #MAX_PENDING} frames pile up is
 * closed (it is not polling). Thread-safe.
 */
final class PollTransport implements Transport {
  static final int MAX_PENDING = 10_000;

  private final String remote;
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  private boolean open = true; // guarded by this
  private int closeCode; // guarded by this

  PollTransport(String remote) {
    this.remote = remote;
  }

  @Override
  public synchronized void send(String text) {
    if (!open) {
      return;
    }
    if (pending.size() >= MAX_PENDING) {
      open = false;
      closeCode = 1008;
    } else {
      pending.add(text);
    }
    notifyAll();
  }

  /**
   * Waits up to {@code waitMillis} for at least one frame and returns every pending one (possibly
   * none). Frames queued before a close are still returned.
   */
  synchronized List<String> take(long waitMillis) throws InterruptedException {
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    while (pending.isEmpty() && open) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    List<String> frames = new ArrayList<>(pending);
    pending.clear();
    return frames;
  }

  @Override
  public synchronized void close(int code, String reason) {
    if (open) {
      open = false;
      closeCode = code;
      notifyAll();
    }
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
