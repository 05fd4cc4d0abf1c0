package io.dbops.agent.policy;

import io.dbops.config.EnvReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the delegate's operator allows pipelines to use; every rule denies by default. Read from the
 * delegate's environment only (Helm values set it), never from the control plane.
 *
 * @param secretEnv globs of variable names for {@code env:} sources ({@code DBOPS_ALLOW_SECRET_ENV})
 * @param secretFiles absolute directories for {@code file:} sources ({@code DBOPS_ALLOW_SECRET_FILES})
 * @param secretKubernetes globs of Secret names for {@code kubernetes:} sources ({@code
 *     DBOPS_ALLOW_SECRET_KUBERNETES})
 * @param tokenSecretName the delegate's own token Secret, never a source ({@code DBOPS_TOKEN_SECRET_NAME},
 *     set by the chart), or null
 * @param hosts database targets ({@code DBOPS_ALLOW_HOSTS}, {@code HOST:PORT} entries)
 * @param gitUrls URL globs of clone steps ({@code DBOPS_ALLOW_GIT_URLS})
 * @param jdbcProperties extra JDBC URL properties by driver, lower case ({@code DBOPS_ALLOW_JDBC_PROPERTIES})
 * @param h2Dir the only directory of H2 file databases ({@code DBOPS_ALLOW_H2_DIR}), or null for none
 * @param changelogDirs absolute directories a step's changelog, search path, policy file and clone
 *     target may be in on the local runtime ({@code DBOPS_ALLOW_CHANGELOG_DIRS})
 */
public record Allowlists(List<String> secretEnv, List<Path> secretFiles, List<String> secretKubernetes,
    String tokenSecretName, List<HostPattern> hosts, List<String> gitUrls, Map<String, Set<String>> jdbcProperties,
    Path h2Dir, List<Path> changelogDirs) {
  /** Nothing allowed: no env:, file: or kubernetes: source, no host, no git URL, no H2 file, no step file. */
  public static final Allowlists NONE = new Allowlists(null, null, null, null, null, null, null, null, null);

  public Allowlists {
    secretEnv = secretEnv == null ? List.of() : List.copyOf(secretEnv);
    secretFiles = secretFiles == null ? List.of() : List.copyOf(secretFiles);
    secretKubernetes = secretKubernetes == null ? List.of() : List.copyOf(secretKubernetes);
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    gitUrls = gitUrls == null ? List.of() : List.copyOf(gitUrls);
    jdbcProperties = jdbcProperties == null ? Map.of() : Map.copyOf(jdbcProperties);
    changelogDirs = changelogDirs == null ? List.of() : List.copyOf(changelogDirs);
  }

  /** The allowlists in {@code env}; problems (a relative directory, a malformed entry) go to the reader. */
  public static Allowlists read(EnvReader env) {
    List<Path> files = env.list(SecretSourceRule.FILES_SETTING, Allowlists::absoluteDirectory);
    List<Path> changelogDirs = env.list(StepFileRule.SETTING, Allowlists::absoluteDirectory);
    Path h2Dir = null;
    if (env.isSet(JdbcUrlRule.H2_DIR_SETTING)) {
      try {
        h2Dir = absoluteDirectory(env.string(JdbcUrlRule.H2_DIR_SETTING));
      } catch (IllegalArgumentException e) {
        env.problem(JdbcUrlRule.H2_DIR_SETTING + ": " + e.getMessage());
      }
    }
    List<String> jdbcItems = env.list(JdbcUrlRule.PROPERTIES_SETTING);
    Map<String, Set<String>> jdbc = Map.of();
    try {
      jdbc = JdbcUrlRule.extra(jdbcItems);
    } catch (IllegalArgumentException e) {
      env.problem(JdbcUrlRule.PROPERTIES_SETTING + ": " + e.getMessage());
    }
    return new Allowlists(env.list(SecretSourceRule.ENV_SETTING), files,
        env.list(SecretSourceRule.KUBERNETES_SETTING), env.string("DBOPS_TOKEN_SECRET_NAME"),
        env.list(HostRule.SETTING, HostPattern::parse), env.list(GitUrlRule.SETTING), jdbc, h2Dir,
        changelogDirs);
  }

  /** {@link #read} of {@code env}, throwing a ConfigException for the delegate on a problem (for tests). */
  public static Allowlists of(Map<String, String> env) {
    EnvReader reader = new EnvReader(env);
    Allowlists allowlists = read(reader);
    reader.throwIfProblems("delegate");
    return allowlists;
  }

  private static Path absoluteDirectory(String text) {
    Path path = Path.of(text);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("'" + text + "' is not an absolute directory");
    }
    return path.normalize();
  }

  /** The settings, for logs (no secrets in them). */
  @Override
  public String toString() {
    return "Allowlists[secretEnv=" + secretEnv + ", secretFiles=" + secretFiles + ", secretKubernetes="
        + secretKubernetes + ", hosts=" + hosts.stream().map(HostPattern::text).toList() + ", gitUrls=" + gitUrls
        + ", jdbcProperties=" + jdbcProperties + ", h2Dir=" + h2Dir + ", changelogDirs=" + changelogDirs + "]";
  }
}
