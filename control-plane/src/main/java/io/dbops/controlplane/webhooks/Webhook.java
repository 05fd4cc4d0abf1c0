package io.dbops.controlplane.webhooks;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stored webhook as listed: never its secret.
 *
 * @param branches branch names or globs a push must match; empty for every branch
 * @param paths globs over the changed files; a push must touch one; empty for any push
 * @param inputs fixed inputs of the pipeline run
 * @param refInput the pipeline input that receives the pushed commit; null to pass none
 */
public record Webhook(String name, Format format, String pipeline, List<String> branches,
    List<String> paths, Map<String, String> inputs, String refInput, Instant createdAt,
    String createdBy) {
  public Webhook {
    branches = branches == null ? List.of() : List.copyOf(branches);
    paths = paths == null ? List.of() : List.copyOf(paths);
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }

  /** The payload format and signature scheme of the sender. */
  public enum Format {
    GITHUB, GITLAB, GENERIC;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Format of(String id) {
      for (Format f : values()) {
        if (f.id().equals(id)) {
          return f;
        }
      }
      return null;
    }

    /** The header that carries the signature (or GitLab's token). */
    String signatureHeader() {
      return switch (this) {
        case GITHUB -> "X-Hub-Signature-256";
        case GITLAB -> "X-Gitlab-Token";
        case GENERIC -> "X-Dbops-Signature";
      };
    }

    /** The header that carries the delivery id. */
    String deliveryHeader() {
      return switch (this) {
        case GITHUB -> "X-GitHub-Delivery";
        case GITLAB -> "X-Gitlab-Event-UUID";
        case GENERIC -> "X-Dbops-Delivery";
      };
    }

    /** The header that names the event; null when the format has none. */
    String eventHeader() {
      return switch (this) {
        case GITHUB -> "X-GitHub-Event";
        case GITLAB -> "X-Gitlab-Event";
        case GENERIC -> null;
      };
    }
  }
}
