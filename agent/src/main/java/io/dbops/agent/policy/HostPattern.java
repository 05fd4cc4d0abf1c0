package io.dbops.agent.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of {@code DBOPS_ALLOW_HOSTS}: {@code HOST:PORT}, where HOST is a name glob ({@code
 * *.db.internal}), an IP address ({@code 10.1.2.3}, {@code [::1]}) or a CIDR block ({@code
 * 10.0.0.0/8}), and PORT a number, a range ({@code 5432-5439}) or {@code *}.
 *
 * @param text the entry as written
 * @param name the name glob, or null for an address or a block
 * @param network the address (or the block's base address), or null for a name glob
 * @param prefixBits the block's prefix length (the full length for one address)
 */
public record HostPattern(String text, Glob name, InetAddress network, int prefixBits, int portFrom, int portTo) {
  private static final Pattern NAME_GLOB = Pattern.compile("[A-Za-z0-9*][A-Za-z0-9.*_-]*");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** @throws IllegalArgumentException naming the entry and what it must be */
  static HostPattern parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (for example db.internal:5432,"
          + " 10.0.0.0/8:5432-5439 or *.db.internal:*)");
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    int from;
    int to;
    try {
      if (port.equals("*")) {
        from = 1;
        to = 65535;
      } else if (port.contains("-")) {
        from = Integer.parseInt(port.substring(0, port.indexOf('-')));
        to = Integer.parseInt(port.substring(port.indexOf('-') + 1));
      } else {
        from = Integer.parseInt(port);
        to = from;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': the port must be a number, a range like 5432-5439 or *");
    }
    if (from < 1 || to > 65535 || from > to) {
      throw new IllegalArgumentException("'" + text + "': ports are 1-65535 and a range goes upwards");
    }
    int slash = host.indexOf('/');
    String address = slash < 0 ? host : host.substring(0, slash);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    if (IPV4.matcher(address).matches() || address.contains(":")) {
      InetAddress network = literal(address)
          .orElseThrow(() -> new IllegalArgumentException("'" + text + "': not an IP address"));
      int bits = network.getAddress().length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(host.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "': the CIDR prefix length must be a number");
        }
        if (bits < 0 || bits > network.getAddress().length * 8) {
          throw new IllegalArgumentException("'" + text + "': the CIDR prefix length is out of range");
        }
      }
      return new HostPattern(text, null, network, bits, from, to);
    }
    if (slash >= 0 || !NAME_GLOB.matcher(host).matches()) {
      throw new IllegalArgumentException("'" + text + "': HOST must be a name glob, an IP address or a CIDR block");
    }
    return new HostPattern(text, Glob.nameIgnoringCase(host.toLowerCase(Locale.ROOT)), null, 0, from, to);
  }

  boolean isBlock() {
    return network != null && prefixBits < network.getAddress().length * 8;
  }

  boolean portMatches(int port) {
    return port >= portFrom && port <= portTo;
  }

  /** Whether {@code address} is this address, or inside this block. */
  boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int bits = prefixBits;
    for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((a[i] & mask) != (n[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** The address written literally as {@code host} (no name lookup), or empty for a name. */
  static java.util.Optional<InetAddress> literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IPV4.matcher(h).matches() && !(h.contains(":") && h.matches("[0-9A-Fa-f:.]+"))) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(InetAddress.getByName(h)); // a literal: no lookup
    } catch (UnknownHostException e) {
      return java.util.Optional.empty();
    }
  }
}
