package io.dbops.controlplane.http;

/**
 * A feature's HTTP edge: parses requests, calls its service, maps errors. Every route is added
 * through {@link Edge}, which demands an {@link Access} rule for each.
 */
@FunctionalInterface
public interface Routes {
  void addTo(Edge edge);
}
