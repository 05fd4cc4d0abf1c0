package io.dbops.controlplane.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.audit.Audit;
import io.dbops.controlplane.audit.AuditEvent;
import io.dbops.controlplane.identity.FailureThrottle;
import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.support.Json;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming git webhooks (docs/fleet-triggers.md): their definitions with a per-webhook secret
 * sealed under the master key, and the deliveries: signature first (HMAC-SHA256 or GitLab's
 * token, constant time), then the replay check on the delivery id, the branch and path filters, and
 * the run of the stored pipeline with the pushed commit. A delivery can do nothing else. Knows
 * nothing of HTTP ({@link WebhookRoutes}); refusals are {@link Refusal}s whose messages never hold
 * a secret or say whether a webhook exists. Thread-safe.
 */
public final class WebhookService {
  private static final Logger log = LoggerFactory.getLogger(WebhookService.class);
  static final String SECRET_PREFIX = "dbops_whs_";
  static final int MAX_DELIVERY_ID = 200;
  private static final String UNKNOWN = "dbops-no-such-webhook";
  static final Duration KEEP_DELIVERY_IDS = Duration.ofDays(90);

  /** The stored pipelines a webhook may run (the catalog in production). */
  public interface Pipelines {
    /** The input names the stored pipeline declares; null when there is no such pipeline. */
    Set<String> declaredInputs(String pipeline);

    /**
     * Runs the stored pipeline as {@code startedBy} with origin source {@code webhook}.
     *
     * @return the execution id
     * @throws Refusal when the run cannot start (bad inputs, a target gone)
     */
    String run(String pipeline, Map<String, String> inputs, String startedBy);
  }

  /** A created webhook: its definition and, when the server generated it, its secret (once). */
  public record Created(Webhook webhook, String generatedSecret) {
    @Override
    public String toString() {
      return "Created[" + webhook.name() + "]";
    }
  }

  /** A webhook call as received: headers by lower-case name, the raw body, the client address. */
  public record Call(String name, Map<String, String> headers, byte[] body, String address) {
    String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** What a signed delivery led to. */
  public enum Result { TRIGGERED, FILTERED, DUPLICATE, PING, IGNORED }

  /** A signed delivery's outcome. */
  public record Outcome(Result result, String reason, String executionId, String deliveryId) {}

  private final WebhookStore store;
  private final SecretBox box;
  private final Pipelines pipelines;
  private final FailureThrottle throttle;
  private final Audit audit;
  private final Metrics metrics;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final java.util.concurrent.atomic.AtomicLong lastPrune =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE / 2);

  public WebhookService(io.dbops.controlplane.store.Sql sql, SecretBox box, Pipelines pipelines,
      FailureThrottle throttle, Audit audit, Metrics metrics, Clock clock) {
    this.store = new WebhookStore(sql);
    this.box = box;
    this.pipelines = pipelines;
    this.throttle = throttle;
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Seals again under the current master key every secret sealed under the previous one. */
  public void resealAfterRotation() {
    if (!box.enabled()) {
      return;
    }
    for (WebhookStore.Row row : store.list()) {
      if (box.needsReseal(row.secret(), aad(row.name()))) {
        String secret = box.open(row.secret(), aad(row.name()), what(row.name()));
        store.reseal(row.name(), box.seal(secret, aad(row.name())));
        log.info("Webhook '{}': its secret was sealed again under the new master key", row.name());
      }
    }
  }

  // ---- definitions

  /**
   * Creates a webhook from a create body.
   *
   * @throws Refusal INVALID listing every problem, CONFLICT when the name is taken, UNAVAILABLE
   *     without a master key
   */
  public Created create(JsonNode body, String actor) {
    if (!box.enabled()) {
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "secret_store_disabled", "Webhook secrets are"
          + " sealed under the master key, and there is none: set DBOPS_MASTER_KEY or"
          + " DBOPS_MASTER_KEY_FILE on every replica and restart (docs/secrets.md)", List.of());
    }
    List<String> problems = new ArrayList<>();
    WebhookDefinitions.Read read = WebhookDefinitions.read(body, pipelines::declaredInputs,
        problems);
    if (read == null) {
      throw Refusal.invalid("Invalid webhook: " + problems.size() + " problem(s); see details",
          problems);
    }
    String secret = read.secret() != null ? read.secret() : generate();
    Instant now = clock.instant();
    Webhook w = read.webhook();
    Webhook stored = new Webhook(w.name(), w.format(), w.pipeline(), w.branches(), w.paths(),
        w.inputs(), w.refInput(), now, actor);
    if (!store.insert(new WebhookStore.Row(w.name(), Json.write(definition(stored)),
        box.seal(secret, aad(w.name())), now.toEpochMilli(), actor))) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Webhook '" + w.name() + "' exists"
          + " already; delete it first to replace it (dbops webhook delete " + w.name() + ")",
          List.of());
    }
    log.info("Webhook '{}' ({}) created by {} for pipeline '{}'", w.name(), w.format().id(), actor,
        w.pipeline());
    return new Created(stored, read.secret() == null ? secret : null);
  }

  public List<Webhook> list() {
    return store.list().stream().map(WebhookService::webhook).toList();
  }

  public Webhook get(String name) {
    return store.find(name).map(WebhookService::webhook).orElseThrow(() -> notFound(name));
  }

  public void delete(String name) {
    if (!store.delete(name)) {
      throw notFound(name);
    }
  }

  /** The latest deliveries (at most {@code max}), newest first. */
  public List<WebhookDelivery> deliveries(String name, int max) {
    get(name);
    return store.deliveries(name, max);
  }

  // ---- deliveries

  /**
   * Handles one call: the signature is checked before anything else is read.
   *
   * @throws Refusal UNAUTHENTICATED for an unknown webhook or a missing or wrong signature (the
   *     same answer for both), TOO_MANY after repeated failures from the address, INVALID for a
   *     body that is not JSON or a missing delivery id
   */
  public Outcome receive(Call call) {
    Optional<WebhookStore.Row> row = store.find(call.name());
    if (row.isEmpty()) {
      // as much work as a wrong signature, so that timing does not tell which names exist
      Signatures.verify(UNKNOWN, call.body(), "sha256=");
      refuse(call);
    }
    if (!signed(row.get(), call)) {
      refuse(call);
    }
    Webhook hook = webhook(row.get());
    String deliveryId = call.header(hook.format().deliveryHeader());
    if (deliveryId == null || deliveryId.isBlank() || deliveryId.length() > MAX_DELIVERY_ID) {
      metrics.webhookCall("invalid");
      throw Refusal.invalid("Header " + hook.format().deliveryHeader() + " must hold the delivery"
          + " id (1-" + MAX_DELIVERY_ID + " characters); it is how replays are recognised",
          List.of());
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(call.body());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      metrics.webhookCall("invalid");
      throw Refusal.invalid("The webhook body is not a JSON object", List.of(
          "the body must be the JSON payload of a " + hook.format().id() + " push"));
    }
    Push push = PushParser.parse(hook.format(), event(hook, call), body);
    if ("ping".equals(push.kind())) {
      metrics.webhookCall("ping");
      return new Outcome(Result.PING, "ping received; webhook '" + hook.name() + "' is ready",
          null, deliveryId);
    }
    pruneDeliveryIds();
    if (!store.remember(hook.name(), deliveryId.trim(), clock.millis())) {
      metrics.webhookCall("duplicate");
      return new Outcome(Result.DUPLICATE, "delivery " + deliveryId + " was received before",
          null, deliveryId);
    }
    String notRun = filter(hook, push);
    if (notRun != null) {
      store.outcome(hook.name(), deliveryId.trim(), "other".equals(push.kind()) ? "ignored"
          : "filtered", null, notRun);
      metrics.webhookCall("filtered");
      log.info("Webhook '{}' delivery {}: nothing to run ({})", hook.name(), deliveryId, notRun);
      return new Outcome(Result.FILTERED, notRun, null, deliveryId);
    }
    Map<String, String> inputs = new LinkedHashMap<>(hook.inputs());
    if (hook.refInput() != null) {
      inputs.put(hook.refInput(), push.commit());
    }
    String executionId;
    try {
      executionId = pipelines.run(hook.pipeline(), inputs, "webhook:" + hook.name());
    } catch (RuntimeException e) {
      store.forget(hook.name(), deliveryId.trim()); // a redelivery may run once this is fixed
      metrics.webhookCall("failed");
      audit.record(new AuditEvent("webhook:" + hook.name(), "webhook.trigger", hook.pipeline(),
          call.address(), "failed: " + e.getMessage(), Map.of("deliveryId", deliveryId)));
      throw e;
    }
    store.outcome(hook.name(), deliveryId.trim(), "triggered", executionId, null);
    metrics.webhookCall("triggered");
    audit.record(new AuditEvent("webhook:" + hook.name(), "webhook.trigger", hook.pipeline(),
        call.address(), "ok", Map.of("deliveryId", deliveryId, "executionId", executionId,
            "branch", String.valueOf(push.branch()), "commit", String.valueOf(push.commit()))));
    log.info("Webhook '{}' delivery {}: started execution {} of pipeline '{}' at {}", hook.name(),
        deliveryId, executionId, hook.pipeline(), push.commit());
    return new Outcome(Result.TRIGGERED, null, executionId, deliveryId);
  }

  /**
   * Forgets delivery ids older than {@link #KEEP_DELIVERY_IDS}, at most once an hour (git servers
   * redeliver within days, not months).
   */
  private void pruneDeliveryIds() {
    long now = clock.millis();
    long last = lastPrune.get();
    if (now - last >= Duration.ofHours(1).toMillis() && lastPrune.compareAndSet(last, now)) {
      store.prune(now - KEEP_DELIVERY_IDS.toMillis());
    }
  }

  /** Why the push runs nothing, or null when it runs the pipeline. */
  static String filter(Webhook hook, Push push) {
    if ("other".equals(push.kind())) {
      return "event '" + push.event() + "' is not a push";
    }
    if (push.deleted()) {
      return "the push deletes branch '" + push.branch() + "'";
    }
    if (push.branch() == null) {
      return "the push is not to a branch (a tag or another ref)";
    }
    if (!Globs.anyMatches(hook.branches(), push.branch())) {
      return "branch '" + push.branch() + "' matches none of " + hook.branches();
    }
    if (!hook.paths().isEmpty()
        && push.paths().stream().noneMatch(p -> Globs.anyMatches(hook.paths(), p))) {
      return "none of the " + push.paths().size() + " changed file(s) matches " + hook.paths();
    }
    if (hook.refInput() != null && push.commit() == null) {
      return "the push names no commit for input '" + hook.refInput() + "'";
    }
    return null;
  }

  private boolean signed(WebhookStore.Row row, Call call) {
    Webhook hook = webhook(row);
    String given = call.header(hook.format().signatureHeader());
    if (given == null) {
      return false;
    }
    String secret;
    try {
      secret = box.open(row.secret(), aad(row.name()), what(row.name()));
    } catch (SecretBox.UnreadableException e) {
      log.error("{}; its deliveries are refused", e.getMessage());
      return false;
    }
    return hook.format() == Webhook.Format.GITLAB
        ? Signatures.constantTimeEquals(secret, given.trim())
        : Signatures.verify(secret, call.body(), given);
  }

  private void refuse(Call call) {
    Optional<Duration> wait = throttle.failed(call.address());
    audit.record(new AuditEvent("anonymous", "webhook.refused", "POST /hooks/" + call.name(),
        call.address(), wait.isPresent() ? "throttled: 429" : "refused: 401 unauthorized",
        Map.of()));
    if (wait.isPresent()) {
      metrics.webhookCall("throttled");
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      throw new Refusal(Refusal.Kind.TOO_MANY, "too_many_failures", "Too many failed"
          + " authentications from " + call.address() + "; retry after " + seconds + " s",
          List.of(Long.toString(seconds)));
    }
    metrics.webhookCall("unauthorized");
    throw Refusal.unauthenticated("No valid signature for webhook '" + call.name() + "': the"
        + " sender must sign the raw body with the webhook's secret (X-Hub-Signature-256 for"
        + " github, X-Gitlab-Token for gitlab, X-Dbops-Signature for generic;"
        + " docs/fleet-triggers.md)");
  }

  private static String event(Webhook hook, Call call) {
    String header = hook.format().eventHeader();
    return header == null ? null : call.header(header);
  }

  private String generate() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Refusal notFound(String name) {
    return Refusal.notFound("No webhook '" + name + "'; list them with GET /api/v1/webhooks or"
        + " `dbops webhook list`");
  }

  private static String aad(String name) {
    return "webhook:" + name;
  }

  private static String what(String name) {
    return "The secret of webhook '" + name + "'";
  }

  /** The stored definition: the webhook without its times (columns). */
  private static Map<String, Object> definition(Webhook w) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("format", w.format().id());
    d.put("pipeline", w.pipeline());
    d.put("branches", w.branches());
    d.put("paths", w.paths());
    d.put("inputs", w.inputs());
    d.put("refInput", w.refInput());
    return d;
  }

  private static Webhook webhook(WebhookStore.Row row) {
    JsonNode d = parse(row.definition());
    List<String> branches = new ArrayList<>();
    d.path("branches").forEach(b -> branches.add(b.asText()));
    List<String> paths = new ArrayList<>();
    d.path("paths").forEach(p -> paths.add(p.asText()));
    Map<String, String> inputs = new LinkedHashMap<>();
    d.path("inputs").fields().forEachRemaining(e -> inputs.put(e.getKey(), e.getValue().asText()));
    return new Webhook(row.name(), Webhook.Format.of(d.path("format").asText()),
        d.path("pipeline").asText(), branches, paths, inputs,
        d.path("refInput").isTextual() ? d.path("refInput").asText() : null,
        Instant.ofEpochMilli(row.createdAt()), row.createdBy());
  }

  private static JsonNode parse(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("A stored webhook definition cannot be read", e);
    }
  }
}
