package io.dbops.controlplane.approvals;

import java.util.List;
import java.util.Set;

/**
 * Who decides: an identity with its roles and groups.
 *
 * @param identity the identity's name (an API token's owner); distinct names count as distinct people
 * @param tokenId the API token used, for the record
 * @param roles the identity's role ids ({@code approver}, {@code admin}...)
 * @param groups identity-provider groups; empty for API tokens, which carry none
 */
public record Approver(String identity, String tokenId, Set<String> roles, List<String> groups) {
  public Approver {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    groups = groups == null ? List.of() : List.copyOf(groups);
  }
}
