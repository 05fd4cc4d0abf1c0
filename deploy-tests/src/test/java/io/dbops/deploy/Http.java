package io.dbops.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Small HTTP helpers for the integration tests. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  record Response(int status, String body) {}

  /** GET; status -1 when nothing answers. */
  static Response get(String url) throws InterruptedException {
    return get(url, null);
  }

  /** GET with {@code Authorization: Bearer <token>} when the token is not null; status -1 when nothing answers. */
  static Response get(String url, String token) throws InterruptedException {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET();
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Response(-1, e.toString());
    }
  }

  /**
   * The bootstrap admin token a control plane wrote to its data directory (contract G:
   * {@code <data-dir>/admin.token}), or null when it wrote none (a control plane without API tokens).
   */
  static String adminToken(Path dataDir) throws IOException {
    Path file = dataDir.resolve("admin.token");
    return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
  }

  /** The CLI's environment for calls to that control plane: DBOPS_API_TOKEN when it has an admin token. */
  static Map<String, String> cliEnv(Path dataDir) throws IOException {
    String token = adminToken(dataDir);
    return token == null ? Map.of() : Map.of("DBOPS_API_TOKEN", token);
  }

  /** A port free on the loopback interface right now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
