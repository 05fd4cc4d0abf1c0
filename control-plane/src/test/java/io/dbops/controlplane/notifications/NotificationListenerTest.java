package io.dbops.controlplane.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.secrets.MasterKey;
import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which execution events become which notifications, with which environment, in both formats. */
class NotificationListenerTest {
  @TempDir Path dir;
  Database database;
  NotificationService service;
  NotificationListener listener;
  NotificationSender sender;
  final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void start() {
    database = new Database("jdbc:h2:file:" + dir.resolve("cp"), null, null, dir);
    database.start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    SecretBox box = new SecretBox(MasterKey.parse(Base64.getEncoder().encodeToString(key), "t"), null);
    TriggerSettings settings = TriggerSettings.DEFAULT.withAllowHosts(List.of("127.0.0.1:9"));
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
    service = new NotificationService(new Sql(database.dataSource()), box, settings.allowHosts(),
        clock, new Ids(), () -> "http://cp");
    listener = new NotificationListener(service,
        target -> "orders-prod".equals(target) ? Optional.of("prod") : Optional.of("dev"));
    sender = new NotificationSender(service, settings, (url, headers, body, timeout) -> {
      bodies.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      return 200;
    }, new Metrics(), clock);
  }

  @AfterEach
  void stop() {
    database.close();
  }

  private void endpoint(String name, String format, List<String> events, List<String> envs) {
    service.create(Json.tree(Map.of("name", name, "url", "http://127.0.0.1:9/" + name,
        "events", events, "environments", envs, "format", format)), "test");
  }

  private static ExecutionView view(String status, ExecutionView.StageView... stages) {
    return new ExecutionView("ex-1", "orders", status, "boom: the error text", null, null, null,
        List.of(stages), new ExecutionView.Origin("alice", "pat-1", "cli", "orders", 3, Map.of()),
        List.of());
  }

  private static ExecutionView.StageView stage(String name, String status, String target,
      String recovery) {
    return new ExecutionView.StageView(name, status, null, List.of(), "target " + target, null,
        null, null, null, null, recovery == null ? null : new ExecutionView.Recovery("rollback",
            recovery, "apply", null, null, null, null, 0, List.of(), null));
  }

  private List<JsonNode> sent() {
    sender.deliverDue();
    return bodies.stream().map(NotificationListenerTest::parse).toList();
  }

  @Test
  void aFailureRolledBackInProdIsFailedAndRolledBackForTheStageThatFailed() {
    endpoint("ops", "generic", List.of("failed", "rolledBack", "succeeded"), List.of("prod"));
    listener.finished(view("FAILED", stage("dev", "SUCCEEDED", "orders-dev", null),
        stage("prod", "FAILED", "orders-prod", "ROLLED_BACK")));
    List<JsonNode> sent = sent();
    assertThat(sent).extracting(n -> n.path("event").asText())
        .containsExactlyInAnyOrder("failed", "rolledBack");
    for (JsonNode n : sent) {
      assertThat(n.path("environment").asText()).isEqualTo("prod");
      assertThat(n.path("target").asText()).isEqualTo("orders-prod");
      assertThat(n.path("stage").asText()).isEqualTo("prod");
      assertThat(n.path("pipeline").asText()).isEqualTo("orders");
      assertThat(n.path("startedBy").asText()).isEqualTo("alice");
      assertThat(n.toString()).doesNotContain("boom");
    }
  }

  @Test
  void environmentFiltersSkipOtherEnvironmentsAndPausedIsItsOwnEvent() {
    endpoint("prod-only", "generic", List.of("paused", "succeeded"), List.of("prod"));
    listener.paused(view("PAUSED", stage("dev", "RUNNING", "orders-dev", "PAUSED")));
    assertThat(sent()).isEmpty();
    listener.paused(view("PAUSED", stage("dev", "SUCCEEDED", "orders-dev", null),
        stage("prod", "RUNNING", "orders-prod", "PAUSED")));
    listener.finished(view("SUCCEEDED", stage("dev", "SUCCEEDED", "orders-dev", null),
        stage("prod", "SUCCEEDED", "orders-prod", null)));
    assertThat(sent()).extracting(n -> n.path("event").asText() + "@" + n.path("environment").asText())
        .containsExactlyInAnyOrder("paused@prod", "succeeded@prod");
  }

  @Test
  void slackEndpointsGetATextWithTheLinkAndNoApprovalInChat() {
    endpoint("chat", "slack", List.of("waiting"), List.of());
    listener.approvalWaiting(view("WAITING_APPROVAL", stage("prod", "RUNNING", "orders-prod", null)));
    sender.deliverDue();
    assertThat(bodies).hasSize(1);
    String text = parse(bodies.get(0)).path("text").asText();
    assertThat(text).isEqualTo("dbops: pipeline *orders* waits for an approval in prod (target"
        + " orders-prod): execution ex-1 <http://cp/api/v1/executions/ex-1|open in dbops> (approve in"
        + " dbops, not in chat)");
  }

  @Test
  void refreshesSendNothingAndRolloutTargetsOnlyWhatNeedsSomeone() {
    endpoint("all", "generic", List.of("waiting", "succeeded", "failed"), List.of());
    ExecutionView.StageView prod = stage("prod", "SUCCEEDED", "orders-prod", null);
    listener.finished(new ExecutionView("ex-r", "refresh-prod", "SUCCEEDED", null, null, null, null,
        List.of(prod), new ExecutionView.Origin("scheduler", null, "refresh", "refresh-prod", null,
            Map.of()), List.of()));
    ExecutionView.Origin target = new ExecutionView.Origin("alice", "pat-1", "rollout", "orders", 3,
        Map.of(), "ex-parent", "tenants");
    listener.finished(new ExecutionView("ex-t1", "orders", "FAILED", null, null, null, null,
        List.of(stage("tenants", "FAILED", "tenant-1", null)), target, List.of()));
    listener.approvalWaiting(new ExecutionView("ex-t2", "orders", "WAITING_APPROVAL", null, null, null,
        null, List.of(stage("tenants", "RUNNING", "tenant-2", null)), target, List.of()));

    assertThat(sent()).extracting(n -> n.path("event").asText() + "@" + n.path("executionId").asText())
        .containsExactly("waiting@ex-t2");
  }

  private static JsonNode parse(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
