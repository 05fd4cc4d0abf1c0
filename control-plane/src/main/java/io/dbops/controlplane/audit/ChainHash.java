package io.dbops.controlplane.audit;

import io.dbops.support.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * The hash of an audit entry: SHA-256 (hex) of the canonical form, a JSON array of the previous
 * entry's hash and every field of the entry ({@code [prevHash, seq, atMillis, actor, action,
 * target, address, outcome, {details sorted by key}]}). The first entry's previous hash is
 * {@link #GENESIS}.
 */
final class ChainHash {
  static final String GENESIS = "0".repeat(64);

  private ChainHash() {}

  static String of(String prevHash, long seq, long atMillis, AuditEvent e) {
    String canonical = Json.write(Arrays.asList(prevHash, seq, atMillis, e.actor(), e.action(),
        e.target(), e.address(), e.outcome(), new TreeMap<>(e.details())));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException("SHA-256 is not available", ex);
    }
  }
}
