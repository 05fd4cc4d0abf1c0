package io.dbops.controlplane.notifications;

import java.time.Instant;
import java.util.List;

/**
 * A stored notification endpoint as listed: never its secret.
 *
 * @param events the events wanted: {@code waiting}, {@code succeeded}, {@code failed},
 *     {@code paused}, {@code rolledBack}
 * @param environments only events of these environments; empty for every one
 * @param pipelines only events of these pipelines; empty for every one
 * @param format {@code generic} (the dbops JSON) or {@code slack} (a Slack incoming-webhook
 *     {@code {"text"}} body); both are signed
 */
public record NotificationEndpoint(String name, String url, List<String> events,
    List<String> environments, List<String> pipelines, String format, Instant createdAt,
    String createdBy) {
  public static final List<String> EVENTS = List.of("waiting", "succeeded", "failed", "paused",
      "rolledBack");

  public NotificationEndpoint {
    events = List.copyOf(events);
    environments = environments == null ? List.of() : List.copyOf(environments);
    pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
  }

  /** True when this endpoint wants {@code event} of that environment and pipeline. */
  boolean wants(String event, String environment, String pipeline) {
    return events.contains(event)
        && (environments.isEmpty() || (environment != null && environments.contains(environment)))
        && (pipelines.isEmpty() || (pipeline != null && pipelines.contains(pipeline)));
  }
}
