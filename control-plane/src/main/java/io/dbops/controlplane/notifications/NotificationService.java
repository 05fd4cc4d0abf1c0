package io.dbops.controlplane.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.store.Ids;
import io.dbops.controlplane.store.Sql;
import io.dbops.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notification endpoints (docs/fleet-triggers.md): their definitions, each with a secret sealed
 * under the master key and a URL the operator's host rule allows ({@code DBOPS_NOTIFY_ALLOW_HOSTS}),
 * the outbox rows events become ({@link #enqueue}, one row per wanting endpoint, in one
 * transaction), and the delivery log. Knows nothing of HTTP; refusals are {@link Refusal}s.
 * Thread-safe.
 */
public final class NotificationService {
  private static final Logger log = LoggerFactory.getLogger(NotificationService.class);
  static final String SECRET_PREFIX = "dbops_nts_";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Set<String> FIELDS = Set.of("name", "url", "events", "environments",
      "pipelines", "format", "secret");

  /** A created endpoint and, when the server generated it, its secret (shown once). */
  public record Created(NotificationEndpoint endpoint, String generatedSecret) {
    @Override
    public String toString() {
      return "Created[" + endpoint.name() + "]";
    }
  }

  /** An endpoint with its opened secret, for the sender only. */
  record Target(NotificationEndpoint endpoint, String secret) {
    @Override
    public String toString() {
      return "Target[" + endpoint.name() + "]";
    }
  }

  /**
   * What happened, as the outbox rows carry it: names, ids and statuses only, never a secret, an
   * error text or a log line (an error may quote a step's output; the link leads to it).
   */
  public record Event(String event, String executionId, String pipeline, String status,
      String environment, String target, String stage, String startedBy) {}

  private final Sql sql;
  private final NotificationStore store;
  private final SecretBox box;
  private final HostRule hosts;
  private final Clock clock;
  private final Ids ids;
  private final java.util.function.Supplier<String> publicUrl;
  private final SecureRandom random = new SecureRandom();
  private volatile Runnable wake = () -> { };

  /** @param publicUrl the control plane's public base URL, for the link in each payload */
  public NotificationService(Sql sql, SecretBox box, HostRule hosts, Clock clock, Ids ids,
      java.util.function.Supplier<String> publicUrl) {
    this.sql = sql;
    this.store = new NotificationStore(sql);
    this.box = box;
    this.hosts = hosts;
    this.clock = clock;
    this.ids = ids;
    this.publicUrl = publicUrl;
  }

  /** Called after rows were enqueued (the sender's wake-up). */
  void onEnqueued(Runnable wake) {
    this.wake = wake;
  }

  NotificationStore store() {
    return store;
  }

  HostRule hosts() {
    return hosts;
  }

  /** Seals again under the current master key every secret sealed under the previous one. */
  public void resealAfterRotation() {
    if (!box.enabled()) {
      return;
    }
    for (NotificationStore.Row row : store.list()) {
      if (box.needsReseal(row.secret(), aad(row.name()))) {
        store.reseal(row.name(), box.seal(box.open(row.secret(), aad(row.name()), what(row.name())),
            aad(row.name())));
      }
    }
  }

  // ---- definitions

  /**
   * @throws Refusal INVALID listing every problem (a URL the host rule refuses names
   *     {@code DBOPS_NOTIFY_ALLOW_HOSTS}), CONFLICT for a taken name, UNAVAILABLE without a key
   */
  public Created create(JsonNode body, String actor) {
    if (!box.enabled()) {
      throw new Refusal(Refusal.Kind.UNAVAILABLE, "secret_store_disabled", "Notification secrets"
          + " are sealed under the master key, and there is none: set DBOPS_MASTER_KEY or"
          + " DBOPS_MASTER_KEY_FILE on every replica and restart (docs/secrets.md)", List.of());
    }
    List<String> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw Refusal.invalid("Invalid notification endpoint: the body must be a JSON object",
          List.of("the body must be a JSON object"));
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        problems.add("unknown field '" + f + "'; allowed: " + new TreeSet<>(FIELDS));
      }
    }
    String name = text(body, "name", problems);
    if (name == null) {
      problems.add("name is required");
    } else if (!NAME.matcher(name).matches()) {
      problems.add("name '" + name + "' must be 1-63 lower-case letters, digits, '.', '_' or '-',"
          + " starting with a letter or digit");
    }
    String url = text(body, "url", problems);
    if (url == null) {
      problems.add("url is required: where the events are POSTed");
    } else {
      String refusal;
      try {
        refusal = hosts.refusal(new URI(url));
      } catch (URISyntaxException e) {
        refusal = "the URL is not valid: " + e.getReason();
      }
      if (refusal != null) {
        problems.add("url: " + refusal);
      }
    }
    List<String> events = list(body, "events", problems);
    if (events.isEmpty() && !body.has("events")) {
      problems.add("events is required: any of " + NotificationEndpoint.EVENTS);
    }
    for (String e : events) {
      if (!NotificationEndpoint.EVENTS.contains(e)) {
        problems.add("events: '" + e + "' is not one of " + NotificationEndpoint.EVENTS);
      }
    }
    if (body.has("events") && events.isEmpty()) {
      problems.add("events must name at least one of " + NotificationEndpoint.EVENTS);
    }
    List<String> environments = list(body, "environments", problems);
    List<String> pipelines = list(body, "pipelines", problems);
    String format = body.has("format") ? text(body, "format", problems) : "generic";
    if (format == null || !List.of("generic", "slack").contains(format)) {
      problems.add("format must be generic or slack");
    }
    String secret = null;
    JsonNode s = body.path("secret");
    if (!s.isMissingNode() && !s.isNull()) {
      if (!s.isTextual() || s.asText().length() < 16 || s.asText().length() > 200) {
        problems.add("secret must be text of 16-200 characters; leave it out to have one"
            + " generated");
      } else {
        secret = s.asText();
      }
    }
    if (!problems.isEmpty()) {
      throw Refusal.invalid("Invalid notification endpoint: " + problems.size() + " problem(s);"
          + " see details", problems);
    }
    Instant now = clock.instant();
    NotificationEndpoint endpoint = new NotificationEndpoint(name, url,
        List.copyOf(new java.util.LinkedHashSet<>(events)), environments, pipelines, format, now,
        actor);
    String value = secret != null ? secret : generate();
    if (!store.insert(new NotificationStore.Row(name, Json.write(definition(endpoint)),
        box.seal(value, aad(name)), now.toEpochMilli(), actor))) {
      throw new Refusal(Refusal.Kind.CONFLICT, "conflict", "Notification endpoint '" + name
          + "' exists already; delete it first to replace it", List.of());
    }
    log.info("Notification endpoint '{}' created by {} for {}", name, actor, events);
    return new Created(endpoint, secret == null ? value : null);
  }

  public List<NotificationEndpoint> list() {
    return store.list().stream().map(NotificationService::endpoint).toList();
  }

  public NotificationEndpoint get(String name) {
    return store.find(name).map(NotificationService::endpoint).orElseThrow(() -> notFound(name));
  }

  /** Deletes the endpoint and its pending and past deliveries. */
  public void delete(String name) {
    if (!store.delete(name)) {
      throw notFound(name);
    }
  }

  /** The latest deliveries of an endpoint, newest first. */
  public List<NotificationDelivery> deliveries(String name, int max) {
    get(name);
    return store.deliveries(name, max);
  }

  // ---- events

  /**
   * Writes one outbox row per endpoint that wants the event, in one transaction, and wakes the
   * sender. Quick: one read of the (small) endpoint table and the inserts.
   *
   * @return how many deliveries were queued
   */
  public int enqueue(Event event) {
    List<NotificationStore.Row> rows = store.list();
    long now = clock.millis();
    int queued = sql.inTransaction(c -> {
      int n = 0;
      for (NotificationStore.Row row : rows) {
        NotificationEndpoint endpoint = endpoint(row);
        if (!endpoint.wants(event.event(), event.environment(), event.pipeline())) {
          continue;
        }
        String id = ids.next("ntf-", 20);
        NotificationStore.enqueue(c, id, endpoint.name(), event.event(), event.executionId(),
            payload(endpoint, event, now), now);
        n++;
      }
      return n;
    });
    if (queued > 0) {
      wake.run();
    }
    return queued;
  }

  /** The endpoint with its secret opened; empty when it was deleted meanwhile. */
  Optional<Target> target(String name) {
    return store.find(name).map(row -> new Target(endpoint(row),
        box.open(row.secret(), aad(name), what(name))));
  }

  private String payload(NotificationEndpoint endpoint, Event e, long now) {
    String link = publicUrl.get() + "/api/v1/executions/" + e.executionId();
    if ("slack".equals(endpoint.format())) {
      String text = "dbops: pipeline *" + e.pipeline() + "* " + switch (e.event()) {
        case "waiting" -> "waits for an approval";
        case "paused" -> "paused after a failed step";
        case "rolledBack" -> "rolled back";
        default -> e.event();
      } + (e.environment() == null ? "" : " in " + e.environment())
          + (e.target() == null ? "" : " (target " + e.target() + ")")
          + ": execution " + e.executionId() + " <" + link + "|open in dbops>"
          + ("waiting".equals(e.event()) ? " (approve in dbops, not in chat)" : "");
      return Json.write(Map.of("text", text));
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("event", e.event());
    p.put("executionId", e.executionId());
    p.put("pipeline", e.pipeline());
    p.put("status", e.status());
    p.put("environment", e.environment());
    p.put("target", e.target());
    p.put("stage", e.stage());
    p.put("startedBy", e.startedBy());
    p.put("url", link);
    p.put("at", Instant.ofEpochMilli(now).toString());
    return Json.write(p);
  }

  private String generate() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Refusal notFound(String name) {
    return Refusal.notFound("No notification endpoint '" + name + "'; list them with GET"
        + " /api/v1/notifications or `dbops notification list`");
  }

  static String aad(String name) {
    return "notification:" + name;
  }

  private static String what(String name) {
    return "The secret of notification endpoint '" + name + "'";
  }

  private static Map<String, Object> definition(NotificationEndpoint e) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("url", e.url());
    d.put("events", e.events());
    d.put("environments", e.environments());
    d.put("pipelines", e.pipelines());
    d.put("format", e.format());
    return d;
  }

  private static NotificationEndpoint endpoint(NotificationStore.Row row) {
    JsonNode d;
    try {
      d = Json.mapper().readTree(row.definition());
    } catch (IOException e) {
      throw new IllegalStateException("A stored notification endpoint cannot be read", e);
    }
    return new NotificationEndpoint(row.name(), d.path("url").asText(), strings(d, "events"),
        strings(d, "environments"), strings(d, "pipelines"), d.path("format").asText("generic"),
        Instant.ofEpochMilli(row.createdAt()), row.createdBy());
  }

  private static List<String> strings(JsonNode d, String field) {
    List<String> values = new ArrayList<>();
    d.path(field).forEach(v -> values.add(v.asText()));
    return values;
  }

  private static List<String> list(JsonNode body, String field, List<String> problems) {
    JsonNode node = body.path(field);
    List<String> values = new ArrayList<>();
    if (node.isMissingNode() || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      problems.add(field + " must be a list of names");
      return values;
    }
    for (JsonNode v : node) {
      if (!v.isTextual() || v.asText().isBlank()) {
        problems.add(field + " must hold names (text)");
      } else {
        values.add(v.asText().trim());
      }
    }
    return values;
  }

  private static String text(JsonNode body, String field, List<String> problems) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add(field + " must be text");
      return null;
    }
    return v.asText().isBlank() ? null : v.asText().trim();
  }
}
