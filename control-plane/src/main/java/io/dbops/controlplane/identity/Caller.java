package io.dbops.controlplane.identity;

import io.dbops.controlplane.Refusal;
import java.util.Collection;
import java.util.List;

/**
 * The authenticated API token behind a request, and the address it came from. Routes that touch
 * environments call {@link #requireEnvironments}.
 */
public record Caller(ApiToken token, String address) {

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
