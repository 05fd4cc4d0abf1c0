package io.dbops.agent.task;

import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.policy.PolicyRefusal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Whether a TCP connection to {@code host:port} opens within a timeout (task_offer.reachability).
 * A target outside the delegate's host allowlist is not dialled at all.
 */
final class ReachabilityCheck {
  private final Duration timeout;
  private final DelegatePolicy policy;

  ReachabilityCheck(Duration timeout, DelegatePolicy policy) {
    this.timeout = timeout;
    this.policy = policy;
  }

  /**
   * Null when reachable, else "cannot reach host:port: reason" (or the allowlist's refusal). Blocks
   * up to the timeout.
   */
  String problem(String hostPort) {
    String host;
    int port;
    try {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 1 || port > 65535 || host.isBlank()) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      return "cannot reach " + hostPort + ": not a host:port";
    }
    try {
      policy.checkHost(host, port);
    } catch (PolicyRefusal e) {
      return e.getMessage();
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return null;
    } catch (UnknownHostException e) {
      return "cannot reach " + hostPort + ": unknown host " + host;
    } catch (SocketTimeoutException e) {
      return "cannot reach " + hostPort + ": no answer within " + timeout.toMillis() + " ms";
    } catch (IOException | IllegalArgumentException e) {
      return "cannot reach " + hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }
}
