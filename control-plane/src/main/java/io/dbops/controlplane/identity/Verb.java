package io.dbops.controlplane.identity;

import java.util.Locale;
import java.util.Optional;

/**
 * What a request does, as an access rule names it. A role grants a set of verbs ({@link Role});
 * a token may be limited to a subset of what its roles grant. JSON and docs use the lowercase name.
 */
public enum Verb {
  /** Read executions, logs, delegates, tasks, environments, targets and pipelines. */
  READ,
  /** Submit executions. */
  RUN,
  /** Abort executions. */
  ABORT,
  /** Decide approvals (the approvals feature comes later). */
  APPROVE,
  /** Manage API tokens and delegate tokens. */
  ACCESS,
  /** Create, list and delete store secrets. */
  SECRETS,
  /** Submit diagnostics tasks. */
  TASKS,
  /** Read and verify the audit log. */
  AUDIT,
  /** Create, change and delete environments and targets (docs/environments.md). */
  CONFIGURE,
  /** Create, change and delete stored pipelines (docs/environments.md). */
  PIPELINES;

  /** The lowercase name used in JSON and messages. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The verb named {@code id} (case-insensitive), if any. */
  public static Optional<Verb> parse(String id) {
    for (Verb v : values()) {
      if (v.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** The least role that grants this verb (for messages). */
  public Role leastRole() {
    for (Role r : Role.values()) {
      if (r.grants(this)) {
        return r;
      }
    }
    return Role.ADMIN;
  }
}
