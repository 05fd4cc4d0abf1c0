package io.dbops.agent.policy;

import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.secrets.SecretSource;
import java.nio.file.Path;

/**
 * The delegate's allowlists applied to what a task asks for: secret sources before any value is
 * read, and database targets, JDBC URLs and git URLs of steps before anything is sent to a lite
 * engine or any host is dialled. A refusal names the rule and the setting that would allow it,
 * never a secret value. Thread-safe.
 */
public final class DelegatePolicy {
  private final SecretSourceRule secrets;
  private final HostRule hosts;
  private final JdbcUrlRule jdbc;
  private final GitUrlRule git;

  /**
   * @param stateDir the delegate's state directory; no {@code file:} source may point into it
   */
  public DelegatePolicy(Allowlists allow, Path stateDir) {
    this(allow, stateDir, HostRule.Resolver.SYSTEM);
  }

  DelegatePolicy(Allowlists allow, Path stateDir, HostRule.Resolver resolver) {
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

  /** Refuses a step whose JDBC URL or git repository the allowlists do not allow. */
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
  }

  /** Refuses a database target ({@code host} and {@code port} as written) outside DBOPS_ALLOW_HOSTS. */
  public void checkHost(String host, int port) throws PolicyRefusal {
    hosts.check("Database host", host, port);
  }
}
