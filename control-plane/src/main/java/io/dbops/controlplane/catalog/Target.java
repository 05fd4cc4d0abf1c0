package io.dbops.controlplane.catalog;

import io.dbops.pipeline.Database;
import io.dbops.support.Secrets;
import java.util.List;
import java.util.Map;

/**
 * A stored target: one database instance, the environment it belongs to, and the Liquibase
 * settings its runs use (docs/environments.md). Never a password: {@code url} may not hold one and
 * {@code passwordFrom} names where the delegate reads it.
 *
 * @param delegateSelectors tags a delegate must all have to reach this database
 * @param labels free labels (tenant, region, tier, ...) for listing and, later, fleet rollouts
 * @param liquibase Liquibase settings; null for Liquibase's defaults
 */
public record Target(String name, String environment, String url, String username,
    String passwordFrom, List<String> delegateSelectors, Map<String, String> labels,
    Liquibase liquibase) {
  public Target {
    delegateSelectors = delegateSelectors == null ? List.of() : List.copyOf(delegateSelectors);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /**
   * @param contexts Liquibase contexts for the target's steps that set none
   * @param labelFilter Liquibase label expression for the target's steps that set none
   * @param parameters changelog parameters; a step's own parameters of the same name win
   */
  public record Liquibase(String contexts, String labelFilter, Map<String, String> parameters,
      String databaseChangelogTableName, String databaseChangelogLockTableName,
      String defaultSchemaName, String liquibaseSchemaName) {
    public Liquibase {
      parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
  }

  /** The database a stage on this target connects to. */
  public Database database() {
    Liquibase lb = liquibase;
    return lb == null ? new Database(url, username, passwordFrom)
        : new Database(url, username, passwordFrom, lb.databaseChangelogTableName(),
            lb.databaseChangelogLockTableName(), lb.defaultSchemaName(), lb.liquibaseSchemaName());
  }

  @Override
  public String toString() {
    return "Target[name=" + name + ", environment=" + environment + ", url=" + Secrets.maskUrl(url)
        + ", username=" + username + ", passwordFrom=" + passwordFrom + "]";
  }
}
