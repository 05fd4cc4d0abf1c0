package io.dbops.agent.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Rule "hosts": a database target (a JDBC URL's host, a reachability check) must match an entry
 * of {@code DBOPS_ALLOW_HOSTS}. Names and addresses are matched as written; a CIDR entry also
 * matches a name when every address it resolves to is inside the block. Thread-safe.
 */
final class HostRule {
  static final String SETTING = "DBOPS_ALLOW_HOSTS";

  /** Name resolution, injectable for tests. */
  @FunctionalInterface
  interface Resolver {
    List<InetAddress> resolve(String name) throws UnknownHostException;

    Resolver SYSTEM = name -> List.of(InetAddress.getAllByName(name));
  }

  private final List<HostPattern> patterns;
  private final Resolver resolver;

  HostRule(List<HostPattern> patterns, Resolver resolver) {
    this.patterns = List.copyOf(patterns);
    this.resolver = resolver;
  }

  /** @param what for the message, for example "Database host" */
  void check(String what, String host, int port) throws PolicyRefusal {
    String written = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String lower = written.toLowerCase(Locale.ROOT);
    Optional<InetAddress> literal = HostPattern.literal(written);
    List<InetAddress> resolved = null;
    for (HostPattern p : patterns) {
      if (!p.portMatches(port)) {
        continue;
      }
      if (p.name() != null) {
        if (p.name().matches(lower)) {
          return;
        }
      } else if (literal.isPresent()) {
        if (p.contains(literal.get())) {
          return;
        }
      } else if (p.isBlock()) {
        if (resolved == null) {
          resolved = resolve(lower);
        }
        if (!resolved.isEmpty() && resolved.stream().allMatch(p::contains)) {
          return;
        }
      }
    }
    String target = (written.contains(":") ? "[" + written + "]" : written) + ":" + port;
    throw PolicyRefusal.refused(what + " " + target, "hosts", target, SETTING);
  }

  private List<InetAddress> resolve(String name) {
    try {
      return resolver.resolve(name);
    } catch (UnknownHostException e) {
      return List.of();
    }
  }
}
