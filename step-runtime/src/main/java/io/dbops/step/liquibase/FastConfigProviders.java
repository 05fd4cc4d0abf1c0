package io.dbops.step.liquibase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import liquibase.Scope;
import liquibase.configuration.ConfigurationValueProvider;
import liquibase.configuration.LiquibaseConfiguration;
import liquibase.configuration.core.EnvironmentValueProvider;
import liquibase.configuration.core.SystemPropertyValueProvider;

/**
 * Makes Liquibase's configuration look-ups cheap without changing what they return.
 *
 * <p>Every {@code ConfigurationDefinition.getCurrentValue()} asks each provider, and Liquibase
 * 4.33's environment and system-property providers decide whether their cached answer is still
 * valid by hashing the whole environment and a <em>clone</em> of the system properties, on every
 * look-up. Liquibase reads a setting ({@code preserveClasspathPrefixInNormalizedPaths}) in every
 * {@code DatabaseChangeLog.normalizePath}, which runs several times per changeset and per history
 * row: profiled, this was about 60 % of a no-op apply over 2,000 changesets. The replacements
 * answer exactly as the originals (same precedence, same look-up rules); the environment's hash is
 * computed once (a JVM's environment never changes) and the system properties are hashed in place
 * instead of cloned first. Installed process-wide, idempotently, by {@link LiquibaseStepRunner}.
 *
 * <p>The environment provider answers from the environment it is given ({@link ProcessEnvironment}:
 * the real one, overlaid with a warm pod's binding), so a step sees the {@code LIQUIBASE_*}
 * settings of its own binding; installing with another environment replaces the provider.
 */
final class FastConfigProviders {
  private FastConfigProviders() {}

  /** Installs the providers over the process's own environment. */
  static void install() {
    install(System.getenv());
  }

  /**
   * Replaces the standard environment and system-property providers, and an environment provider
   * over another environment than {@code environment}; does nothing when already done.
   */
  static void install(Map<String, String> environment) {
    LiquibaseConfiguration configuration = Scope.getCurrentScope().getSingleton(LiquibaseConfiguration.class);
    synchronized (configuration) {
      List<ConfigurationValueProvider> replace = new ArrayList<>();
      for (ConfigurationValueProvider p : configuration.getProviders()) {
        if (p.getClass() == EnvironmentValueProvider.class || p.getClass() == SystemPropertyValueProvider.class
            || p instanceof StableEnvironmentValueProvider stable && !stable.environment.equals(environment)) {
          replace.add(p);
        }
      }
      for (ConfigurationValueProvider p : replace) {
        configuration.unregisterProvider(p);
        configuration.registerProvider(p instanceof EnvironmentValueProvider
            ? new StableEnvironmentValueProvider(environment) : new InPlaceSystemPropertyValueProvider());
      }
    }
  }

  /** The environment provider over a given (immutable) environment, hashed once. */
  static final class StableEnvironmentValueProvider extends EnvironmentValueProvider {
    private final Map<String, String> environment;
    private final int hash;

    StableEnvironmentValueProvider(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      this.hash = this.environment.hashCode();
    }

    @Override
    protected Map<?, ?> getMap() {
      return environment;
    }

    @Override
    protected int getMapHash() {
      return hash;
    }
  }

  /** The system-property provider, hashing the live properties instead of a fresh clone. */
  static final class InPlaceSystemPropertyValueProvider extends SystemPropertyValueProvider {
    @Override
    protected int getMapHash() {
      return System.getProperties().hashCode();
    }
  }
}
