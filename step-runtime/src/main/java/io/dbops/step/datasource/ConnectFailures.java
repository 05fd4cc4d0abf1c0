package io.dbops.step.datasource;

import io.dbops.support.RootCause;
import io.dbops.support.Secrets;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/** Turns driver exceptions raised while connecting into one actionable sentence. */
final class ConnectFailures {
  private ConnectFailures() {}

  static ConnectFailure noDriver(String jdbcUrl) {
    return new ConnectFailure("No JDBC driver accepts " + Secrets.maskUrl(jdbcUrl)
        + ". Supported URLs start with jdbc:postgresql:, jdbc:mariadb:, jdbc:mysql: or jdbc:h2:.", null);
  }

  static ConnectFailure describe(String jdbcUrl, String username, Throwable failure) {
    SQLException sql = find(failure, SQLException.class);
    String dbMessage = oneLine(sql != null ? sql.getMessage() : RootCause.message(failure));
    String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
    int vendorCode = sql == null ? 0 : sql.getErrorCode();
    String lower = dbMessage.toLowerCase(Locale.ROOT);
    String where = JdbcUrls.hostAndPort(jdbcUrl);
    String target = where != null ? where : Secrets.maskUrl(jdbcUrl);
    String user = username == null || username.isEmpty() ? "(no user)" : "'" + username + "'";

    if (state.startsWith("28") || vendorCode == 1045 || lower.contains("password authentication failed")
        || lower.contains("access denied") || lower.contains("wrong user name or password")) {
      return new ConnectFailure("Authentication failed for user " + user + " at " + target + ": "
          + dbMessage + ". Check the username and the password secret.", failure);
    }
    if ("3D000".equals(state) || vendorCode == 1049 || lower.contains("unknown database")
        || (lower.contains("database") && lower.contains("does not exist") || lower.contains("not found, either pre-create it"))) {
      return new ConnectFailure("Database does not exist at " + target + " (" + Secrets.maskUrl(jdbcUrl)
          + "): " + dbMessage + ". Create it or fix the database name in the JDBC URL.", failure);
    }
    if (state.startsWith("08") || find(failure, ConnectException.class) != null
        || find(failure, UnknownHostException.class) != null
        || find(failure, NoRouteToHostException.class) != null
        || find(failure, SocketTimeoutException.class) != null
        || lower.contains("connection is not available")) {
      return new ConnectFailure("Cannot connect to " + target + " as " + user + ": " + dbMessage
          + ". Check the host and port, that the database server is running, and that the step"
          + " container can reach it.", failure);
    }
    return new ConnectFailure("Cannot open a connection to " + target + " as " + user + ": "
        + dbMessage, failure);
  }

  static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
