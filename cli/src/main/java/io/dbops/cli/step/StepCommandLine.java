package io.dbops.cli.step;

import io.dbops.config.ConfigException;
import io.dbops.cli.ExitCodes;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.datasource.PoolCache;
import io.dbops.step.git.CloneRunner;
import io.dbops.step.git.GitSource;
import io.dbops.step.liquibase.LiquibaseStepRunner;
import io.dbops.step.liquibase.LiquibaseTables;
import io.dbops.step.liquibase.StepCommand;
import io.dbops.step.liquibase.StepControl;
import io.dbops.step.liquibase.StepLog;
import io.dbops.step.liquibase.StepOutcome;
import io.dbops.support.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops step KIND ...}: runs one step in this process, exactly as a step container would
 * (same runners, session lock, atomic history), without a control plane. For scripting and
 * debugging. With {@code --output json} log lines go to stderr so stdout stays the result.
 */
@Command(name = "step", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a step directly, without a control plane: "
        + "apply, preview, rollback, status, validate, tag, sync, drift, policy, history or clone.")
public final class StepCommandLine implements Callable<Integer> {
  private static final String KINDS = "apply, preview, rollback, status, validate, tag, sync, drift, policy, history or clone";

  @Parameters(index = "0", paramLabel = "KIND",
      description = "apply | preview | rollback | status | validate | tag | sync | drift | policy | history | clone")
  String kind;

  @Option(names = "--changelog", description = "Changelog file (XML, YAML, JSON or formatted SQL). Required except for history and clone.")
  Path changelog;

  @Option(names = "--search-path", description = "Directory the changelog path is relative to, and the path Liquibase"
      + " records for each changeset (default: the working directory, as Liquibase's own CLI; a pipeline uses its file's"
      + " directory or the step's searchPath).")
  Path searchPath;

  @Option(names = "--url", description = "JDBC URL of the target database (no password in it). Required except for clone.")
  String url;

  @Option(names = "--username", description = "Database user; for clone the git user (default: $DBOPS_GIT_USERNAME).")
  String username;

  @Option(names = "--password-env", paramLabel = "VAR",
      description = "Environment variable holding the password; for clone the git password or token (default: DBOPS_GIT_PASSWORD).")
  String passwordEnv;

  @Option(names = "--database-changelog-table-name", paramLabel = "NAME",
      description = "Liquibase's history table (default: DATABASECHANGELOG).")
  String databaseChangelogTableName;

  @Option(names = "--database-changelog-lock-table-name", paramLabel = "NAME",
      description = "Liquibase's lock table (default: DATABASECHANGELOGLOCK).")
  String databaseChangelogLockTableName;

  @Option(names = "--default-schema-name", paramLabel = "SCHEMA",
      description = "Schema the changesets' objects go to (default: the connection's).")
  String defaultSchemaName;

  @Option(names = "--liquibase-schema-name", paramLabel = "SCHEMA",
      description = "Schema of the history and lock tables (default: the default schema).")
  String liquibaseSchemaName;

  @Option(names = "--rollback", description = "preview: render the SQL of a rollback (to --tag, of --count N, or of the pending changesets) instead of an apply.")
  boolean rollback;

  @Option(names = "--repo", paramLabel = "URL", description = "clone: repository URL (https, http, git or file; no password in it).")
  String repo;

  @Option(names = "--ref", paramLabel = "REF", description = "clone: branch, tag or commit id (default: the repository's default branch).")
  String ref;

  @Option(names = "--into", paramLabel = "DIR", description = "clone: new or empty directory to clone into.")
  Path into;

  @Option(names = "--depth", defaultValue = "0", description = "clone: shallow clone of the last N commits (default: full history).")
  int depth;

  @Option(names = "--contexts", description = "Liquibase context expression.")
  String contexts;

  @Option(names = "--labels", description = "Liquibase label expression.")
  String labels;

  @Option(names = "--tag", description = "apply: tag after; tag: the tag to record; rollback, preview --rollback: roll back to it.")
  String tag;

  @Option(names = "--count", defaultValue = "0", description = "rollback, preview --rollback: how many changesets.")
  int count;

  @Option(names = "--next-only", description = "sync: mark only the next pending changeset as applied.")
  boolean nextOnly;

  @Option(names = "--fail-on-drift", description = "drift: exit non-zero (step FAILED) when the schema drifted.")
  boolean failOnDrift;

  @Option(names = "--policy-file", paramLabel = "FILE", description = "policy: YAML rule file (default: built-in rules only).")
  Path policyFile;

  @Option(names = "-D", paramLabel = "NAME=VALUE", description = "Changelog parameter (repeatable).")
  Map<String, String> parameters = new LinkedHashMap<>();

  @Option(names = "--allow-change-types", paramLabel = "TYPES",
      description = "Comma list of what the changelog may do beyond the database: executeCommand, customChange,"
          + " sqlFileAccess (env DBOPS_STEP_ALLOW_CHANGE_TYPES; default none).")
  String allowChangeTypes;

  @Option(names = "--output", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
  String output;

  @Override
  public Integer call() {
    StepCommand command = command();
    boolean json = output.equals("json");
    PrintStream lines = json ? System.err : System.out;
    StepLog log = (level, text) -> lines.println(level == StepLog.Level.INFO ? text : level + " " + text);
    StepOutcome outcome = command.kind() == StepCommand.Kind.CLONE
        ? new CloneRunner(System.getenv()).run(command, log, new StepControl())
        : runDatabaseStep(command, log);
    if (json) {
      System.out.println(Json.write(outcome));
    } else {
      new StepOutcomePrinter(System.out).print(command, outcome);
    }
    return outcome.status() == StepOutcome.Status.SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILED;
  }

  private StepOutcome runDatabaseStep(StepCommand command, StepLog log) {
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    if (allowChangeTypes != null) {
      env.put(StepRuntimeConfig.ALLOW_CHANGE_TYPES, allowChangeTypes);
    }
    StepRuntimeConfig config = StepRuntimeConfig.fromEnvironment(env);
    try (PoolCache pools = new PoolCache(1, config.connectionTimeout())) {
      LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, System.getenv(), Clock.systemUTC(), config.lockTimeout(),
          config.durability(), new io.dbops.step.guard.ChangeTypeGuard(config.allowedChangeTypes()));
      return runner.run(command, log, new StepControl());
    }
  }

  private StepCommand command() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    StepCommand.Kind parsedKind = null;
    try {
      parsedKind = StepCommand.Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add("KIND must be " + KINDS + ", not '" + kind + "'");
    }
    if (!output.equals("text") && !output.equals("json")) {
      problems.add("--output must be text or json, not '" + output + "'");
    }
    if (passwordEnv != null && System.getenv(passwordEnv) == null) {
      problems.add("--password-env names " + passwordEnv + ", which is not set");
    }
    if (parsedKind == StepCommand.Kind.CLONE) {
      return cloneCommand(problems);
    }
    if (url == null) {
      problems.add("--url is required (the JDBC URL of the target database)");
    }
    if (parsedKind == StepCommand.Kind.TAG && tag == null) {
      problems.add("tag needs --tag");
    }
    if (parsedKind == StepCommand.Kind.ROLLBACK && tag == null && count < 1) {
      problems.add("rollback needs --tag or --count N (N >= 1)");
    }
    if (rollback && parsedKind != StepCommand.Kind.PREVIEW) {
      problems.add("--rollback only applies to preview");
    }
    // The search path decides each changeset's recorded identity (docs/steps.md, "Changeset identity").
    Path base = (searchPath != null ? searchPath : Path.of("")).toAbsolutePath().normalize();
    Path file = Path.of("");
    if (changelog == null) {
      if (parsedKind != StepCommand.Kind.HISTORY) {
        problems.add("--changelog is required for " + kind);
      }
    } else {
      file = SearchPaths.relativeChangelog(base, changelog, searchPath != null, problems);
    }
    LiquibaseTables tables = new LiquibaseTables(databaseChangelogTableName, databaseChangelogLockTableName,
        defaultSchemaName, liquibaseSchemaName);
    problems.addAll(tables.problems("", true));
    String policy = "";
    if (policyFile != null) {
      if (!Files.isRegularFile(policyFile)) {
        problems.add("--policy-file " + policyFile.toAbsolutePath() + " does not exist");
      }
      // The runner resolves the rule file against the search root, as the step container does.
      policy = base.relativize(policyFile.toAbsolutePath().normalize()).toString();
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("command line", problems);
    }
    return new StepCommand("cli/" + kind, parsedKind, file.toString(), base.toString(), url, username,
        passwordEnv, contexts, labels, tag, count, parameters, null, nextOnly, failOnDrift, policy, rollback,
        GitSource.NONE, tables, "", false);
  }

  private StepCommand cloneCommand(java.util.List<String> problems) {
    if (depth < 0) {
      problems.add("--depth must be 0 (full history) or more, not " + depth);
    }
    GitSource source = new GitSource(repo, ref, into == null ? "" : into.toAbsolutePath().toString(), username,
        passwordEnv, Math.max(0, depth));
    problems.addAll(CloneRunner.problems(source, "--repo", "--into"));
    if (!problems.isEmpty()) {
      throw new ConfigException("command line", problems);
    }
    return StepCommand.clone("cli/clone", source, "");
  }
}
