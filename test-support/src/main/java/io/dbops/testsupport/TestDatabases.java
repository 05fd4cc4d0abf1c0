package io.dbops.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * Real database servers for tests.
 *
 * <p>The server comes from the environment: {@code DBOPS_TEST_POSTGRES_URL} (with
 * {@code DBOPS_TEST_POSTGRES_USER}, {@code DBOPS_TEST_POSTGRES_PASSWORD}) and
 * {@code DBOPS_TEST_MARIADB_URL} (with {@code DBOPS_TEST_MARIADB_USER},
 * {@code DBOPS_TEST_MARIADB_PASSWORD}); the URL points at an existing database the user may
 * create databases from. Without a URL, the standard local server is used when it answers
 * (PostgreSQL on 127.0.0.1:5432 as {@code postgres}, MariaDB on 127.0.0.1:3306 as {@code root},
 * no password), so a newcomer's {@code ./mvnw verify} runs every test on a machine that has them;
 * else a Testcontainers container where Docker is available. Without any of these, the test is
 * skipped with a message naming the variable, except when {@code CI=true}, where it fails: CI must
 * never pass by skipping.
 *
 * <p>Each call to {@link #create} makes a new database with a random name, so tests never see
 * each other's schema.
 */
public final class TestDatabases {

  /** The server kinds tests run against. */
  public enum Kind {
    POSTGRES("DBOPS_TEST_POSTGRES", "postgres", "jdbc:postgresql://127.0.0.1:5432/postgres?connectTimeout=2"),
    MARIADB("DBOPS_TEST_MARIADB", "root", "jdbc:mariadb://127.0.0.1:3306/mysql?connectTimeout=2000");

    final String envPrefix;
    final String defaultUser;
    final String localUrl;

    Kind(String envPrefix, String defaultUser, String localUrl) {
      this.envPrefix = envPrefix;
      this.defaultUser = defaultUser;
      this.localUrl = localUrl;
    }
  }

  private record Server(String adminUrl, String username, String password) {}

  // Containers live for the whole JVM (Testcontainers' Ryuk removes them); only used with Docker.
  private static final Object containerLock = new Object();
  private static JdbcDatabaseContainer<?> postgresContainer; // guarded by containerLock
  private static JdbcDatabaseContainer<?> mariadbContainer; // guarded by containerLock
  // Results of probing the standard local servers; NONE once a probe failed.
  private static final Server NONE = new Server("", "", "");
  private static Server localPostgres; // guarded by containerLock
  private static Server localMariadb; // guarded by containerLock

  private TestDatabases() {}

  /** A fresh database on the server of that kind; skips (or fails under CI) without one. */
  public static TestDatabase create(Kind kind) {
    Server server = server(kind);
    String name = "dbops_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(server.adminUrl(), server.username(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot create a test database on " + server.adminUrl() + " as " + server.username()
              + ": " + e.getMessage(), e);
    }
    return new TestDatabase(kind, withDatabase(kind, server.adminUrl(), name), server.username(),
        server.password(), name, server.adminUrl());
  }

  private static Server server(Kind kind) {
    String url = System.getenv(kind.envPrefix + "_URL");
    if (url != null && !url.isBlank()) {
      String user = envOr(kind.envPrefix + "_USER", kind.defaultUser);
      String password = envOr(kind.envPrefix + "_PASSWORD", "");
      return new Server(url, user, password);
    }
    Server local = localServer(kind);
    if (local != null) {
      return local;
    }
    if (dockerAvailable()) {
      JdbcDatabaseContainer<?> container = container(kind);
      return new Server(container.getJdbcUrl(), "root".equals(kind.defaultUser) ? "root" : container.getUsername(),
          container.getPassword());
    }
    String message = kind.envPrefix + "_URL is not set, nothing answers at " + kind.localUrl
        + " and Docker is not available; set "
        + kind.envPrefix + "_URL (for example "
        + (kind == Kind.POSTGRES ? "jdbc:postgresql://127.0.0.1:5432/postgres" : "jdbc:mariadb://127.0.0.1:3306/test")
        + ") to run this test";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true and no test database: " + message);
    }
    Assumptions.abort(message);
    throw new AssertionError("unreachable");
  }

  /**
   * The server on its standard local port with the standard local user (PostgreSQL
   * 127.0.0.1:5432 as postgres, MariaDB 127.0.0.1:3306 as root, no password), when it answers a
   * login within two seconds; else null. Probed once per JVM and kind.
   */
  private static Server localServer(Kind kind) {
    synchronized (containerLock) {
      Server probed = kind == Kind.POSTGRES ? localPostgres : localMariadb;
      if (probed != null) {
        return probed == NONE ? null : probed;
      }
      Server candidate = new Server(kind.localUrl, kind.defaultUser, "");
      Server result = NONE;
      try (Connection c = DriverManager.getConnection(candidate.adminUrl(), candidate.username(), "")) {
        result = candidate;
      } catch (SQLException e) {
        // Not there, or not with these credentials: fall through to Docker or a skip.
      }
      if (kind == Kind.POSTGRES) {
        localPostgres = result;
      } else {
        localMariadb = result;
      }
      return result == NONE ? null : result;
    }
  }

  private static JdbcDatabaseContainer<?> container(Kind kind) {
    synchronized (containerLock) {
      if (kind == Kind.POSTGRES) {
        if (postgresContainer == null) {
          postgresContainer = new PostgreSQLContainer<>("postgres:15-alpine");
          postgresContainer.start();
        }
        return postgresContainer;
      }
      if (mariadbContainer == null) {
        mariadbContainer = new MariaDBContainer<>("mariadb:10.11").withUsername("root").withPassword("");
        mariadbContainer.start();
      }
      return mariadbContainer;
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** The admin URL with its database replaced by {@code name}, query string kept. */
  static String withDatabase(Kind kind, String adminUrl, String name) {
    int query = adminUrl.indexOf('?');
    String base = query < 0 ? adminUrl : adminUrl.substring(0, query);
    String params = query < 0 ? "" : adminUrl.substring(query);
    int slash = base.indexOf('/', base.indexOf("//") + 2);
    String prefix = slash < 0 ? base : base.substring(0, slash);
    return prefix + "/" + name.toLowerCase(Locale.ROOT) + params;
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
