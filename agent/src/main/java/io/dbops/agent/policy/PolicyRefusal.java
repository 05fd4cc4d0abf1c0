package io.dbops.agent.policy;

/**
 * A pipeline asked for something the delegate's allowlists do not allow. The message names what
 * was refused (a secret source, a host:port, a URL, a JDBC property), the rule and the setting that
 * would allow it; never a secret value.
 */
public final class PolicyRefusal extends Exception {
  private static final long serialVersionUID = 1L;

  public PolicyRefusal(String message) {
    super(message);
  }

  /** "... (rule: RULE; to allow it add WHAT to SETTING on the delegate)". */
  static PolicyRefusal refused(String what, String rule, String add, String setting) {
    return new PolicyRefusal(what + " is not allowed (rule: " + rule + "; to allow it add " + add + " to "
        + setting + " on the delegate)");
  }

  /** "... (rule: RULE; WHY)" for what no setting allows. */
  static PolicyRefusal never(String what, String rule, String why) {
    return new PolicyRefusal(what + " is never allowed (rule: " + rule + "; " + why + ")");
  }
}
