package io.dbops.pipeline;

import java.util.List;

/**
 * Who must approve before a stage goes on: an approval step's rule, or an environment's protection
 * rule (docs/environments.md).
 *
 * @param required how many distinct people must approve; null means 1
 * @param roles roles of which an approver must hold at least one; empty means {@code approver}
 * @param groups identity-provider groups of which an approver must be in at least one; empty means
 *     any
 * @param starterMayApprove whether the identity that started the execution may approve it; null
 *     means false
 * @param timeoutSeconds how long the approval waits before it counts as rejected; null means the
 *     control plane's default
 */
public record ApprovalRule(
    Integer required, List<String> roles, List<String> groups, Boolean starterMayApprove,
    Integer timeoutSeconds) {
  public ApprovalRule {
    roles = roles == null ? List.of() : List.copyOf(roles);
    groups = groups == null ? List.of() : List.copyOf(groups);
  }
}
