package io.dbops.controlplane.identity;

import io.dbops.controlplane.Refusal;
import java.util.Collection;
import java.util.List;

/**
 * The authenticated identity behind a request and the address it came from: an API token sent as
 * a bearer ({@code via} {@code token}), or a console session ({@code session-token}, whose token
 * is the one it was opened with, or {@code oidc}, whose token is synthesised from the identity
 * provider's answer: id {@code oidc-...}, the mapped roles and environments, never stored). Routes
 * that touch environments call {@link #requireEnvironments}.
 *
 * @param via {@code token}, {@code session-token} or {@code oidc}
 * @param groups identity-provider groups (OIDC sessions only; empty otherwise)
 * @param session the console session, or null for a bearer token
 */
public record Caller(ApiToken token, String address, String via, List<String> groups,
    ConsoleSession session) {

  public Caller {
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  /** A bearer API token. */
  public Caller(ApiToken token, String address) {
    this(token, address, "token", List.of(), null);
  }

  /**
   * Refuses (403) when the token is limited to environments and the request touches one outside
   * them, or touches none that can be checked.
   *
   * @param environments the environments the request touches; empty when the request names none
   * @param what the thing touched, for the message (for example {@code pipeline 'orders'})
   */
  public void requireEnvironments(Collection<String> environments, String what) {
    List<String> allowed = token.environments();
    if (allowed.isEmpty()) {
      return;
    }
    if (environments.isEmpty()) {
      throw Refusal.forbidden("Token '" + token.name() + "' is limited to environment(s) "
          + allowed + " and " + what + " names no environment, so only a token not limited to"
          + " environments may do this (rule: token environments; create a token with"
          + " \"environments\": [] to allow it)");
    }
    List<String> outside = environments.stream().filter(e -> !allowed.contains(e)).toList();
    if (!outside.isEmpty()) {
      throw Refusal.forbidden("Token '" + token.name() + "' is limited to environment(s) "
          + allowed + " and " + what + " touches " + outside + " (rule: token environments;"
          + " a token whose \"environments\" include them may do this)");
    }
  }
}
