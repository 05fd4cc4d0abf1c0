package io.dbops.controlplane.identity;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A server-side console session (docs/console-auth.md): who signed in, how, and until when. The
 * session id (the {@code dbops_session} cookie value) is never kept; {@code idHash} is its SHA-256.
 *
 * @param tokenId the API token a {@link Via#SESSION_TOKEN} session is bound to; null for OIDC
 * @param subject the identity provider's subject ({@code iss|sub}) of an OIDC session; null otherwise
 * @param roles at least one
 * @param environments the environments the identity is limited to; empty means all
 * @param groups identity-provider groups (OIDC only; empty for token sessions)
 */
public record ConsoleSession(String idHash, Via via, String tokenId, String subject, String name,
    Set<Role> roles, List<String> environments, List<String> groups, Instant createdAt,
    Instant lastSeenAt, Instant expiresAt) {

  /** How the session was opened; {@link #id()} is what {@code GET /api/v1/session} shows. */
  public enum Via {
    SESSION_TOKEN("session-token"),
    OIDC("oidc");

    private final String id;

    Via(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    static Via parse(String id) {
      for (Via v : values()) {
        if (v.id.equals(id)) {
          return v;
        }
      }
      throw new IllegalArgumentException("unknown session kind '" + id + "'");
    }
  }

  public ConsoleSession {
    Objects.requireNonNull(idHash, "idHash");
    Objects.requireNonNull(via, "via");
    Objects.requireNonNull(name, "name");
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("A console session needs at least one role");
    }
    roles = Set.copyOf(roles);
    environments = environments == null ? List.of() : List.copyOf(environments);
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  public List<String> roleIds() {
    return EnumSet.copyOf(roles).stream().map(Role::id).toList();
  }

  /** The stable id of an OIDC identity as its audit label shows it: {@code oidc-<12 hex>}. */
  public static String oidcId(String subject) {
    return "oidc-" + TokenHash.of(subject).substring(0, 12).toLowerCase(Locale.ROOT);
  }
}
