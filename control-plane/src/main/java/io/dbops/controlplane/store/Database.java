package io.dbops.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dbops.support.Secrets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's connection pool and schema. The data directory is made private (0700, files
 * 0600: {@link DataDirectory}) before and after the database opens. {@link #start} opens the pool and brings the
 * schema up to date with the Liquibase changelog {@value #CHANGELOG}; {@link #close} closes the
 * pool. Thread-safe after start.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  static final String CHANGELOG = "io/dbops/controlplane/db/changelog.xml";

  private final String url;
  private final String user;
  private final String password;
  private final Path dataDir;
  private volatile HikariDataSource pool;

  /** @param dataDir created when the URL is an H2 file URL; may be null otherwise */
  public Database(String url, String user, String password, Path dataDir) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.dataDir = dataDir;
  }

  public void start() {
    if (url.startsWith("jdbc:h2:file:") && dataDir != null) {
      DataDirectory.create(dataDir);
    }
    // an install made before the directory was private: fixed, with a WARN per entry
    DataDirectory.secure(dataDir, true);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setUsername(user);
    hc.setPassword(password);
    hc.setPoolName("cp-db");
    hc.setMaximumPoolSize(10);
    // Fail a request rather than hang when the database is unreachable or the pool exhausted.
    hc.setConnectionTimeout(10_000);
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Cannot connect to the control plane database "
          + Secrets.maskUrl(url) + " (DBOPS_DB_URL, DBOPS_DB_USER, DBOPS_DB_PASSWORD): "
          + e.getMessage(), e);
    }
    migrate();
    DataDirectory.secure(dataDir, false); // the files H2 just created with the umask's mode
    log.info("Control plane database ready at {}", Secrets.maskUrl(url));
  }

  public DataSource dataSource() {
    HikariDataSource p = pool;
    if (p == null) {
      throw new IllegalStateException("Database not started");
    }
    return p;
  }

  /** True when a pooled connection answers within 2 s (for {@code /readyz}). */
  public boolean reachable() {
    HikariDataSource p = pool;
    if (p == null) {
      return false;
    }
    try (Connection c = p.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private void migrate() {
    try (Connection connection = pool.getConnection()) {
      liquibase.database.Database db = DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new JdbcConnection(connection));
      Map<String, Object> scope = Map.of(
          Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(getClass().getClassLoader()),
          Scope.Attr.ui.name(), new LoggerUIService(),
          // no usage reporting from a self-hosted server
          "liquibase.analytics.enabled", Boolean.FALSE);
      Scope.child(scope, () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
          .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, db)
          .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
          // the update summary goes to the log, not to the console of whoever embeds the server
          .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
          .execute());
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot connect to the control plane database "
          + Secrets.maskUrl(url) + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot migrate the control plane schema in "
          + Secrets.maskUrl(url) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    HikariDataSource p = pool;
    pool = null;
    if (p != null) {
      p.close();
    }
  }
}
