package io.dbops.controlplane.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.controlplane.webhooks.Signatures;
import io.dbops.support.Backoff;
import io.dbops.support.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox sender's retry schedule, give-up and signing, with an injected clock and transport. */
class NotificationSenderTest {
  static final String SECRET = "unit-test-notify-secret";

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  record Sent(URI url, Map<String, String> headers, String body) {}

  @TempDir Path dir;
  Database database;
  final MovableClock clock = new MovableClock();
  final List<Sent> sent = new ArrayList<>();
  final Deque<Object> answers = new ArrayDeque<>(); // Integer status or IOException
  NotificationService service;
  NotificationSender sender;

  @BeforeEach
  void start() {
    database = new Database("jdbc:h2:file:" + dir.resolve("cp"), null, null, dir);
    database.start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SecretBox box = new SecretBox(MasterKey.parse(Base64.getEncoder().encodeToString(key), "test"),
        null);
    TriggerSettings settings = TriggerSettings.DEFAULT.withAllowHosts(List.of("127.0.0.1:9"))
        .withRetries(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(1),
            Duration.ofSeconds(30));
    service = new NotificationService(new Sql(database.dataSource()), box, settings.allowHosts(),
        clock, new Ids(), () -> "http://cp.example");
    NotificationSender.Transport transport = (url, headers, body, timeout) -> {
      sent.add(new Sent(url, headers, new String(body, StandardCharsets.UTF_8)));
      Object answer = answers.isEmpty() ? Integer.valueOf(204) : answers.poll();
      if (answer instanceof IOException e) {
        throw e;
      }
      return (Integer) answer;
    };
    sender = new NotificationSender(service, settings, transport, new Metrics(), clock,
        new Backoff(settings.retryBase(), settings.retryCap(), ceiling -> ceiling));
    service.create(Json.tree(Map.of("name", "ops", "url", "http://127.0.0.1:9/hook",
        "events", List.of("failed"), "secret", SECRET)), "test");
  }

  @AfterEach
  void stop() {
    database.close();
  }

  private NotificationDelivery only() {
    List<NotificationDelivery> log = service.deliveries("ops", 10);
    assertThat(log).hasSize(1);
    return log.get(0);
  }

  private void failed() {
    assertThat(service.enqueue(new NotificationService.Event("failed", "ex-1", "orders", "FAILED",
        "prod", "orders-prod", "prod", "alice"))).isEqualTo(1);
  }

  @Test
  void retriesWithDoublingDelaysUntilTheEndpointAnswers2xxAndSignsEachAttempt() throws Exception {
    failed();
    answers.add(new ConnectException("Connection refused"));
    answers.add(503);
    assertThat(sender.deliverDue()).isZero();
    assertThat(only().attempts()).isEqualTo(1);
    assertThat(only().lastError()).isEqualTo("ConnectException: Connection refused");
    assertThat(only().nextAttemptAt()).isEqualTo(clock.now.plusSeconds(1));

    assertThat(sender.deliverDue()).as("not due yet").isZero();
    assertThat(sent).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(sender.deliverDue()).isZero();
    assertThat(only().lastStatus()).isEqualTo(503);
    assertThat(only().nextAttemptAt()).isEqualTo(clock.now.plusSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    assertThat(sender.deliverDue()).isEqualTo(1);
    assertThat(only().status()).isEqualTo("DELIVERED");
    assertThat(only().attempts()).isEqualTo(3);
    assertThat(sent).hasSize(3);
    for (Sent s : sent) {
      assertThat(s.headers()).containsEntry("X-Dbops-Event", "failed")
          .containsEntry("X-Dbops-Delivery", only().id())
          .containsEntry("X-Dbops-Signature",
              Signatures.sign(SECRET, s.body().getBytes(StandardCharsets.UTF_8)));
      assertThat(s.body()).doesNotContain(SECRET);
    }
    assertThat(Json.mapper().readTree(sent.get(2).body()).path("url").asText())
        .isEqualTo("http://cp.example/api/v1/executions/ex-1");
    clock.advance(Duration.ofHours(1));
    assertThat(sender.deliverDue()).as("a delivered row is not sent again").isZero();
  }

  @Test
  void aDeliveryIsGivenUpOnceItIsOlderThanTheMaximumAge() {
    failed();
    for (int i = 0; i < 10; i++) {
      answers.add(500);
    }
    for (int i = 0; i < 10 && "PENDING".equals(only().status()); i++) {
      sender.deliverDue();
      clock.advance(Duration.ofSeconds(8));
    }
    NotificationDelivery d = only();
    assertThat(d.status()).isEqualTo("FAILED");
    assertThat(d.lastError()).contains("the endpoint answered 500")
        .contains("given up after " + d.attempts() + " attempt(s) (DBOPS_NOTIFY_MAX_AGE_SECONDS)");
    // delays 1, 2, 4, 8, 8 s...: past 30 s after the event at the 6th attempt
    assertThat(d.attempts()).isBetween(4, 7);
  }

  @Test
  void theDeliveryLogKeepsFinishedRowsThirtyDays() {
    failed();
    assertThat(sender.deliverDue()).isEqualTo(1);
    clock.advance(Duration.ofDays(29));
    sender.deliverDue();
    assertThat(only().status()).isEqualTo("DELIVERED");
    clock.advance(Duration.ofDays(2));
    sender.deliverDue();
    assertThat(service.deliveries("ops", 10)).isEmpty();
  }

  @Test
  void aRowClaimedByAnotherSenderIsLeftAlone() {
    failed();
    NotificationStore.Pending p = service.store().due(clock.millis(), 10).get(0);
    assertThat(service.store().claim(p, clock.millis() + 60_000)).isTrue();
    assertThat(service.store().claim(p, clock.millis() + 60_000)).as("second claim").isFalse();
    assertThat(sender.deliverDue()).isZero();
    assertThat(sent).isEmpty();
  }
}
