package io.dbops.controlplane.identity;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A stored API token of a person ({@code user}) or a service account ({@code service}); never its
 * value, which only its hash in the store knows.
 *
 * @param roles at least one
 * @param environments the environments it is limited to; empty means all
 * @param verbs the verbs it is limited to; empty means every verb its roles grant
 * @param expiresAt null for a token that does not expire
 */
public record ApiToken(String id, String name, Kind kind, Set<Role> roles, List<String> environments,
    Set<Verb> verbs, Instant expiresAt, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {

  /** Who holds the token; each kind has its own recognisable prefix. */
  public enum Kind {
    USER("user", "dbops_pat_"),
    SERVICE("service", "dbops_sat_");

    private final String id;
    private final String prefix;

    Kind(String id, String prefix) {
      this.id = id;
      this.prefix = prefix;
    }

    public String id() {
      return id;
    }

    /** The prefix of token values of this kind, so secret scanners can find leaked ones. */
    public String prefix() {
      return prefix;
    }

    public static Kind parse(String id) {
      for (Kind k : values()) {
        if (k.id.equalsIgnoreCase(id == null ? "" : id.trim())) {
          return k;
        }
      }
      return null;
    }
  }

  public ApiToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("An API token needs at least one role");
    }
    roles = Set.copyOf(roles);
    environments = environments == null ? List.of() : List.copyOf(environments);
    verbs = verbs == null ? Set.of() : Set.copyOf(verbs);
  }

  /** True when its roles grant {@code verb} and its verb limit (if any) includes it. */
  public boolean allows(Verb verb) {
    return roles.stream().anyMatch(r -> r.grants(verb)) && (verbs.isEmpty() || verbs.contains(verb));
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /** Name and id, for messages and the audit log: {@code alice (pat-abc)}. */
  public String label() {
    return name + " (" + id + ")";
  }

  /** Roles sorted by their declaration order. */
  public List<String> roleIds() {
    return EnumSet.copyOf(roles).stream().map(Role::id).toList();
  }

  public List<String> verbIds() {
    return verbs.isEmpty() ? List.of() : EnumSet.copyOf(verbs).stream().map(Verb::id).toList();
  }
}
