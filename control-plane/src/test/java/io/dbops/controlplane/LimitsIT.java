package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.TokenCreated;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.protocol.FrameCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, limits: waiting long polls hold no request thread (300 of them against a pool of 50
 * while {@code /healthz} answers within a second), and a slow or stalled request body is cut.
 */
class LimitsIT {
  static final String SESSIONS = "/api/v1/delegates/poll/sessions";
  static final int POLLS = 300;
  static final ServerLimits LIMITS = new ServerLimits(Duration.ofSeconds(2), 1024, 50);
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient client;
  String token;
  final FrameCodec codec = new FrameCodec();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(Fixtures.config(dataDir).toBuilder().limits(LIMITS).build());
    controlPlane.start();
    client = TestClient.of(controlPlane);
    token = client.post("/api/v1/tokens", "{\"name\":\"limits\"}").as(TokenCreated.class).token();
  }

  @AfterEach
  void stop() {
    controlPlane.close();
  }

  @Test
  void threeHundredWaitingLongPollsDoNotStallHealthzWithFiftyRequestThreads() throws Exception {
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < POLLS; i++) {
      TestClient.Reply opened = client.post(SESSIONS,
          codec.encode(TestDelegate.hello("inst-" + i, 1, List.of("never-matches"))), token);
      assertThat(opened.code()).as(opened.body()).isEqualTo(201);
      sessions.add(opened.json().get("sessionId").asText());
    }
    TestClient.Reply submitted = client.post("/api/v1/executions", Fixtures.pipeline("limits",
        Fixtures.step("migrate", "apply")));
    assertThat(submitted.code()).as(submitted.body()).isEqualTo(201);
    String execution = submitted.json().get("id").asText();

    long startNanos = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (String session : sessions) {
      polls.add(send(SESSIONS + "/" + session + "/frames?waitMillis=15000", token));
    }
    // and log long polls of an execution that does not finish meanwhile
    for (int i = 0; i < 50; i++) {
      polls.add(send("/api/v1/executions/" + execution + "/logs?after=1000000&waitMillis=15000",
          controlPlane.adminToken()));
    }

    // The burst itself (350 requests, each checking its token) takes a moment to be taken in;
    // once it has, the waiting polls must leave the server free.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
      long before = System.nanoTime();
      send("/healthz", null).get(5, TimeUnit.SECONDS);
      return System.nanoTime() - before < 1_000_000_000L;
    });
    for (int i = 0; i < 10; i++) {
      long before = System.nanoTime();
      HttpResponse<String> health = send("/healthz", null).get(5, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - before) / 1_000_000;
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(millis).as("healthz #%d with %d polls waiting", i, polls.size()).isLessThan(1000);
    }
    // a few may have been answered early with an offer of the execution's first task
    assertThat(polls.stream().filter(p -> !p.isDone()).count())
        .as("the polls are still waiting while healthz answers").isGreaterThan(POLLS - 10);

    for (CompletableFuture<HttpResponse<String>> poll : polls) {
      HttpResponse<String> reply = poll.get(30, TimeUnit.SECONDS);
      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    }
    assertThat((System.nanoTime() - startNanos) / 1_000_000)
        .as("the polls waited their 15 s, beyond the 2 s idle timeout").isGreaterThanOrEqualTo(15000);
  }

  @Test
  void aBodyTrickledByteByByteIsCutWithRequestTimeout() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", controlPlane.port()), 5000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long started = System.nanoTime();
      String reply = "";
      // one byte every 300 ms: never idle for 2 s, but far below 1024 bytes per second
      for (int i = 0; i < 60 && reply.isEmpty(); i++) {
        try {
          out.write(' ');
          out.flush();
        } catch (java.io.IOException closed) {
          break;
        }
        reply = readIfAvailable(socket, 300);
      }
      if (reply.isEmpty()) {
        reply = readAll(socket.getInputStream());
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertThat(reply).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"")
          .contains("The request body arrived slower than 1024 bytes per second"
              + " (DBOPS_HTTP_MIN_BODY_BYTES_PER_SECOND); the request was cut");
      assertThat(seconds).isLessThan(15);
    }
    assertThat(client.get("/healthz").code()).isEqualTo(200);
  }

  @Test
  void aStalledBodyIsCutAfterTheIdleTimeout() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", controlPlane.port()), 5000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"stream\":")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long started = System.nanoTime();
      String reply = readAll(socket.getInputStream()); // the server answers and/or closes
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      assertThat(seconds).as("cut within the 2 s idle timeout, reply: %s", reply).isLessThan(10L);
      // whichever comes first: no byte for 2 s, or the average rate fell below 1024 B/s
      assertThat(reply).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"")
          .containsPattern("DBOPS_HTTP_IDLE_TIMEOUT_SECONDS|DBOPS_HTTP_MIN_BODY_BYTES_PER_SECOND");
    }
  }

  @Test
  void logTailsAreCappedPerClientAddressWithAMessageNamingTheLongPoll() throws Exception {
    TestClient.Reply submitted = client.post("/api/v1/executions", Fixtures.pipeline("tails",
        Fixtures.step("migrate", "apply")));
    assertThat(submitted.code()).as(submitted.body()).isEqualTo(201);
    String stream = "/api/v1/executions/" + submitted.json().get("id").asText() + "/logs/stream";
    List<HttpResponse<InputStream>> open = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        HttpResponse<InputStream> tail = http.send(HttpRequest.newBuilder(URI.create(controlPlane.baseUrl()
            + stream)).header("Authorization", "Bearer " + controlPlane.adminToken()).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(tail.statusCode()).isEqualTo(200);
        open.add(tail);
      }
      HttpResponse<String> ninth = send(stream, controlPlane.adminToken()).get(10, TimeUnit.SECONDS);
      assertThat(ninth.statusCode()).isEqualTo(429);
      assertThat(ninth.body()).contains("\"code\":\"too_many_tails\"").contains("This client (127.0.0.1)"
          + " already streams 8 logs, the most one address may; close one, or use GET"
          + " /api/v1/executions/{id}/logs?waitMillis= (a long poll that holds no thread)");
      assertThat(send("/healthz", null).get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    } finally {
      for (HttpResponse<InputStream> tail : open) {
        tail.body().close();
      }
    }
  }

  private CompletableFuture<HttpResponse<String>> send(String path, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controlPlane.baseUrl() + path))
        .timeout(Duration.ofSeconds(40)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String readIfAvailable(Socket socket, int waitMillis) throws Exception {
    socket.setSoTimeout(waitMillis);
    try {
      byte[] buf = new byte[4096];
      int n = socket.getInputStream().read(buf);
      return n <= 0 ? (n < 0 ? "closed" : "") : new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (java.net.SocketTimeoutException nothingYet) {
      return "";
    } finally {
      socket.setSoTimeout(20_000);
    }
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (java.io.IOException e) {
      return "reset: " + e.getMessage();
    }
  }
}
