package io.dbops.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback ports for processes that share the host's network. */
final class Ports {
  private Ports() {}

  /** A base port with the next {@code more} ports free as well. */
  static int freeRange(int more) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(30000, 50000);
      boolean free = true;
      for (int p = base; p <= base + more && free; p++) {
        try (ServerSocket s = new ServerSocket(p)) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range");
  }
}
