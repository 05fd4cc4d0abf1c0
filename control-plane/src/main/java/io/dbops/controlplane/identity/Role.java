package io.dbops.controlplane.identity;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The roles of contract H (docs/api.md "Roles"): {@code viewer} reads, {@code deployer} also runs,
 * aborts and writes stored pipelines, {@code approver} also decides approvals, {@code admin} may do everything.
 */
public enum Role {
  VIEWER(EnumSet.of(Verb.READ)),
  DEPLOYER(EnumSet.of(Verb.READ, Verb.RUN, Verb.ABORT, Verb.PIPELINES)),
  APPROVER(EnumSet.of(Verb.READ, Verb.APPROVE)),
  ADMIN(EnumSet.allOf(Verb.class));

  private final Set<Verb> verbs;

  Role(Set<Verb> verbs) {
    this.verbs = verbs;
  }

  public boolean grants(Verb verb) {
    return verbs.contains(verb);
  }

  /** The lowercase name used in JSON and messages. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code id} (case-insensitive), if any. */
  public static Optional<Role> parse(String id) {
    for (Role r : values()) {
      if (r.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
