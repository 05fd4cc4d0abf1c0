package io.dbops.controlplane.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a push from a webhook body in one of the three formats (docs/fleet-triggers.md):
 * GitHub ({@code X-GitHub-Event: push|ping}), GitLab ({@code X-Gitlab-Event: Push Hook}) and the
 * generic one ({@code {"ref"|"branch", "commit", "paths"}}). Pure functions; called only after the
 * signature was checked.
 */
final class PushParser {
  private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

  private PushParser() {}

  static Push parse(Webhook.Format format, String event, JsonNode body) {
    return switch (format) {
      case GITHUB -> github(event, body);
      case GITLAB -> gitlab(event, body);
      case GENERIC -> generic(body);
    };
  }

  private static Push github(String event, JsonNode body) {
    String e = event == null ? "push" : event.trim();
    if ("ping".equals(e)) {
      return Push.ping(e);
    }
    if (!"push".equals(e)) {
      return Push.other(e);
    }
    String after = text(body, "after");
    return new Push("push", e, branch(text(body, "ref")), after, changed(body.path("commits")),
        body.path("deleted").asBoolean(false) || ZERO_SHA.equals(after));
  }

  private static Push gitlab(String event, JsonNode body) {
    String e = event == null ? "Push Hook" : event.trim();
    if (!"Push Hook".equals(e)) {
      return Push.other(e);
    }
    String after = text(body, "checkout_sha") != null ? text(body, "checkout_sha")
        : text(body, "after");
    return new Push("push", e, branch(text(body, "ref")), after, changed(body.path("commits")),
        ZERO_SHA.equals(text(body, "after")));
  }

  private static Push generic(JsonNode body) {
    String branch = text(body, "branch") != null ? text(body, "branch")
        : branch(text(body, "ref"));
    List<String> paths = new ArrayList<>();
    body.path("paths").forEach(p -> {
      if (p.isTextual()) {
        paths.add(p.asText());
      }
    });
    return new Push("push", "push", branch, text(body, "commit"), paths, false);
  }

  /** {@code refs/heads/main} → {@code main}; a tag or another ref → null. */
  static String branch(String ref) {
    if (ref == null) {
      return null;
    }
    return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length())
        : ref.startsWith("refs/") ? null : ref;
  }

  private static List<String> changed(JsonNode commits) {
    Set<String> paths = new LinkedHashSet<>();
    for (JsonNode commit : commits) {
      for (String field : List.of("added", "modified", "removed")) {
        commit.path(field).forEach(p -> {
          if (p.isTextual()) {
            paths.add(p.asText());
          }
        });
      }
    }
    return List.copyOf(paths);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }
}
