package io.dbops.controlplane.store;

import java.security.SecureRandom;

/** Random, short, URL-safe identifiers. Thread-safe. */
public final class Ids {
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private final SecureRandom random = new SecureRandom();

  /** {@code prefix} followed by {@code length} random lowercase base32 characters. */
  public String next(String prefix, int length) {
    StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
    for (int i = 0; i < length; i++) {
      sb.append(BASE32[random.nextInt(BASE32.length)]);
    }
    return sb.toString();
  }
}
