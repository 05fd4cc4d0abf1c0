package io.dbops.logship;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.support.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogShipperTest {
  private final MockWebServer server = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void deliversEveryLineInOrderWithConsecutiveSequencesAndTheToken() throws Exception {
    for (int i = 0; i < 50; i++) {
      server.enqueue(new MockResponse().setBody("{}"));
    }
    LogShipper shipper = shipper(new LogShipper.Settings(7, Duration.ofMillis(20), 100, Duration.ofSeconds(1)));
    shipper.start();
    for (int i = 1; i <= 30; i++) {
      shipper.append("INFO", "line " + i, i);
    }

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();

    List<JsonNode> lines = receivedLines();
    assertThat(lines).hasSize(30);
    for (int i = 0; i < 30; i++) {
      assertThat(lines.get(i).get("seq").asLong()).isEqualTo(i + 1);
      assertThat(lines.get(i).get("text").asText()).isEqualTo("line " + (i + 1));
    }
  }

  @Test
  void retriesAFailedBatchWithoutLosingOrDuplicatingLines() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(503));
    server.enqueue(new MockResponse().setResponseCode(500));
    for (int i = 0; i < 10; i++) {
      server.enqueue(new MockResponse().setBody("{}"));
    }
    LogShipper shipper = shipper(new LogShipper.Settings(100, Duration.ofMillis(20), 100, Duration.ofMillis(200)));
    shipper.append("INFO", "one", 1); // queued before the sender starts: one batch of two
    shipper.append("ERROR", "two", 2);
    shipper.start();

    assertThat(shipper.close(Duration.ofSeconds(10))).isZero();

    List<RecordedRequest> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
    // every attempt carried the same batch; the service dedupes by seq
    for (RecordedRequest request : requests) {
      JsonNode body = Json.mapper().readTree(request.getBody().readUtf8());
      assertThat(body.get("lines")).hasSize(2);
      assertThat(body.get("lines").get(0).get("seq").asLong()).isEqualTo(1);
    }
  }

  @Test
  void reportsUndeliveredLinesWhenTheServiceStaysDown() throws Exception {
    server.shutdown();
    LogShipper shipper = shipper(new LogShipper.Settings(100, Duration.ofMillis(20), 100, Duration.ofMillis(100)));
    shipper.start();
    shipper.append("INFO", "lost?", 1);
    shipper.append("INFO", "counted", 2);

    assertThat(shipper.close(Duration.ofMillis(500))).isEqualTo(2);
  }

  private LogShipper shipper(LogShipper.Settings settings) {
    String url = server.url("/").toString().replaceAll("/$", "");
    return new LogShipper(http, new LogStreamRef(url, "executions/x/dev/apply", "tok-123"), settings);
  }

  private List<JsonNode> receivedLines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      assertThat(request.getPath()).isEqualTo("/api/v1/logs");
      assertThat(request.getHeader("Authorization")).isEqualTo("Bearer tok-123");
      JsonNode body = Json.mapper().readTree(request.getBody().readUtf8());
      assertThat(body.get("stream").asText()).isEqualTo("executions/x/dev/apply");
      body.get("lines").forEach(lines::add);
    }
    return lines;
  }
}
