package io.dbops.controlplane.state;

import java.util.List;
import java.util.Optional;

/**
 * What the state feature reads of the catalog (stored environments and targets); the catalog
 * service in production, a map in tests.
 */
interface Fleet {
  /** The environment of a stored target; empty when no such target. */
  Optional<String> targetEnvironment(String target);

  boolean environmentExists(String environment);

  /** The stored targets of an environment, sorted by name. */
  List<String> targetsIn(String environment);
}
