package io.dbops.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A log service that accepts every request ({@code {"acceptedThrough":0}}) on a loopback port: for
 * tests where the pod's lite engine must have a log service to ship to but its lines do not matter.
 */
public final class AcceptingLogService implements AutoCloseable {
  private final HttpServer server;

  private AcceptingLogService(HttpServer server) {
    this.server = server;
  }

  public static AcceptingLogService start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = "{\"acceptedThrough\":0}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return new AcceptingLogService(server);
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
