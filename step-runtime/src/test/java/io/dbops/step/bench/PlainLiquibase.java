package io.dbops.step.bench;

import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Level;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * Manual comparison aid (not a test): runs plain Liquibase 4.33.0 the way its CLI does (a command
 * scope with url/username/changelog/contexts, standard lock and history services), so real-world
 * changelogs can be compared with {@code dbops step apply}. See docs/performance.md.
 *
 * <p>Arguments: COMMAND (update | status | validate) SEARCH_PATH CHANGELOG JDBC_URL USERNAME
 * [CONTEXTS]. The password, if any, comes from the environment variable PLAIN_LIQUIBASE_PASSWORD.
 */
public final class PlainLiquibase {
  private PlainLiquibase() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: PlainLiquibase update|status|validate SEARCH_PATH CHANGELOG JDBC_URL USERNAME [CONTEXTS]");
      System.exit(64);
    }
    java.util.logging.Logger.getLogger("liquibase").setLevel(Level.WARNING);
    long start = System.nanoTime();
    String password = System.getenv().getOrDefault("PLAIN_LIQUIBASE_PASSWORD", "");
    try (DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(Path.of(args[1]))) {
      Map<String, Object> scope = Map.of(Scope.Attr.resourceAccessor.name(), accessor,
          "liquibase.analytics.enabled", Boolean.FALSE);
      Scope.child(scope, () -> {
        CommandScope command = new CommandScope(args[0])
            .addArgumentValue("changelogFile", args[2])
            .addArgumentValue("url", args[3])
            .addArgumentValue("username", args[4])
            .addArgumentValue("password", password);
        if (args.length > 5 && !args[5].isEmpty()) {
          command.addArgumentValue("contexts", args[5]);
        }
        if (args[0].equals("update")) {
          command.addArgumentValue("showSummary", "OFF");
        }
        command.execute();
      });
    }
    System.out.printf("plain Liquibase %s took %d ms (in-JVM, after JVM start)%n", args[0], (System.nanoTime() - start) / 1_000_000);
  }
}
