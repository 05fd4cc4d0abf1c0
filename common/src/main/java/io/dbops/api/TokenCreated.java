package io.dbops.api;

import java.time.Instant;

/** Answer to {@code POST /api/v1/tokens}: the only time the token's value is shown. */
public record TokenCreated(String id, String name, String token, Instant createdAt) {
  @Override
  public String toString() {
    return "TokenCreated[id=" + id + ", name=" + name + ", token=***]";
  }
}
