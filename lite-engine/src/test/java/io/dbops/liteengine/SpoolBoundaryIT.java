package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool directory holding another pod's stream (its log service URL and its log token, as a
 * shared {@code /tmp/dbops-log-spool} once did): a lite engine starting on it must not resume that
 * stream, since its service is not the engine's {@code DBOPS_LOG_SERVICE_URL}. It sends nothing to
 * either service and leaves the spool as it was.
 */
class SpoolBoundaryIT {
  private static final String OTHER_TOKEN = "other-pods-log-token-5150";
  @TempDir Path spoolDir;
  private final MockWebServer thisPods = new MockWebServer();
  private final MockWebServer otherPods = new MockWebServer();
  private final OkHttpClient http = new OkHttpClient();
  private LiteEngine engine;

  @BeforeEach
  void start() throws Exception {
    Dispatcher unavailable = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setResponseCode(503);
      }
    };
    thisPods.setDispatcher(unavailable);
    otherPods.setDispatcher(unavailable);
    thisPods.start();
    otherPods.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.close();
    }
    thisPods.shutdown();
    otherPods.shutdown();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void anotherPodsStreamToAnotherServiceIsNotResumed() throws Exception {
    String otherUrl = otherPods.url("/").toString().replaceAll("/$", "");
    LogShipper other = new LogShipper(http, new LogStreamRef(otherUrl, "executions/e9/dev/apply", OTHER_TOKEN),
        ShipperSettings.DEFAULT.withSpoolDir(spoolDir).withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    other.start();
    for (int i = 1; i <= 10; i++) {
      other.append("INFO", "other pod's line " + i, i);
    }
    other.close(); // its service is down: the lines stay in the spool, as a killed lite engine leaves them
    List<Path> spooled = files();
    assertThat(spooled).as("the other pod's spool").isNotEmpty();
    int otherRequests = otherPods.getRequestCount();

    engine = new LiteEngine(TestPod.config(spoolDir, thisPods.url("/").toString(), TestPod.freePort()),
        InProcessServerBuilder.forName("lite-engine-" + UUID.randomUUID()));
    engine.start();

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() ->
        otherPods.getRequestCount() == otherRequests && thisPods.getRequestCount() == 0);
    assertThat(files()).as("the other pod's spool, untouched").isEqualTo(spooled);
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> all = Files.walk(spoolDir)) {
      return all.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("lock")).sorted()
          .toList();
    }
  }
}
