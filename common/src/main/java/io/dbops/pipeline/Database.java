package io.dbops.pipeline;

import io.dbops.support.Secrets;

/**
 * The target database of a stage.
 *
 * @param url JDBC URL without a password
 * @param username may be null
 * @param passwordFrom where the delegate reads the password, for example {@code env:ORDERS_DB_PASSWORD}
 *     (the delegate's own environment); may be null for no password
 */
public record Database(String url, String username, String passwordFrom) {
  @Override
  public String toString() {
    return "Database[url=" + Secrets.maskUrl(url) + ", username=" + username
        + ", passwordFrom=" + passwordFrom + "]";
  }
}
