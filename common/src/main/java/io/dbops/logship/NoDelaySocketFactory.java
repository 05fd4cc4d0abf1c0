package io.dbops.logship;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets with TCP_NODELAY. A batch is one request: without it, Nagle's algorithm holds the
 * request's last segment until the server's delayed ACK (up to 40 ms), which halved throughput in
 * the benchmark (docs/performance.md). Thread-safe.
 */
final class NoDelaySocketFactory extends SocketFactory {
  private final SocketFactory delegate;

  NoDelaySocketFactory(SocketFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public Socket createSocket() throws IOException {
    return tune(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return tune(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return tune(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return tune(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return tune(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static Socket tune(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
