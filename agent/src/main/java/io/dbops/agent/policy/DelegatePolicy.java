package io.dbops.agent.policy;

import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.secrets.SecretSource;
import java.nio.file.Path;

/**
 * The delegate's allowlists applied to what a task asks for: secret sources before any value is
 * read, and database targets, JDBC URLs, git URLs and (local runtime) files of steps before anything
 * is sent to a lite engine or any host is dialled. A refusal names the rule and the setting that would allow it,
 * never a secret value. Thread-safe.
 */
public final class DelegatePolicy {
  private final SecretSourceRule secrets;
  private final HostRule hosts;
  private final JdbcUrlRule jdbc;
  private final GitUrlRule git;
  private final StepFileRule files;

  /**
   * For pods that share the delegate's file system (the local runtime): a step's files are checked
   * against {@code DBOPS_ALLOW_CHANGELOG_DIRS}.
   *
   * @param stateDir the delegate's state directory; no {@code file:} source and no step file may point into it
   */
  public DelegatePolicy(Allowlists allow, Path stateDir) {
    this(allow, stateDir, HostRule.Resolver.SYSTEM, true);
  }

  /**
   * For pods with a file system of their own (the Kubernetes runtime, whose lite engine maps a
   * step's paths into the pod's workspace volume): a step's files are not the delegate's, so they
   * are not checked.
   */
  public static DelegatePolicy forIsolatedPods(Allowlists allow, Path stateDir) {
    return new DelegatePolicy(allow, stateDir, HostRule.Resolver.SYSTEM, false);
  }

  DelegatePolicy(Allowlists allow, Path stateDir, HostRule.Resolver resolver) {
    this(allow, stateDir, resolver, true);
  }

  private DelegatePolicy(Allowlists allow, Path stateDir, HostRule.Resolver resolver, boolean sharedFiles) {
    this.files = sharedFiles ? new StepFileRule(allow.changelogDirs(), stateDir) : null;
    this.secrets = new SecretSourceRule(allow, stateDir);
    this.hosts = new HostRule(allow.hosts(), resolver);
    this.jdbc = new JdbcUrlRule(hosts, allow.jdbcProperties(), allow.h2Dir());
    this.git = new GitUrlRule(allow.gitUrls());
  }

  /**
   * Refuses a secret source the allowlists do not allow.
   *
   * @param of what it is the source of, for the message ("variable DB_PASSWORD")
   * @return for a {@code file:} source, the checked real path to read; otherwise null
   */
  public Path checkSecretSource(SecretSource source, String of) throws PolicyRefusal {
    return secrets.check(source, of);
  }

  /**
   * Refuses a step whose JDBC URL, git repository or (on the local runtime) changelog, search path,
   * policy file or clone target the allowlists do not allow.
   */
  public void checkStep(ExecuteStepPayload.StepSpec step) throws PolicyRefusal {
    if (step == null) {
      return;
    }
    if (step.git() != null) {
      git.check(step.git().repo());
    }
    if (step.jdbcUrl() != null && !step.jdbcUrl().isBlank()) {
      jdbc.check(step.jdbcUrl());
    }
    if (files != null) {
      files.check(step);
    }
  }

  /** Refuses a database target ({@code host} and {@code port} as written) outside DBOPS_ALLOW_HOSTS. */
  public void checkHost(String host, int port) throws PolicyRefusal {
    hosts.check("Database host", host, port);
  }
}
