package io.dbops.controlplane.catalog;

import java.util.List;

/**
 * The declarative file ({@code dbops.yaml}, docs/environments.md): one document holding any of
 * the three kinds.
 *
 * @param apiVersion {@value #API_VERSION}
 */
public record CatalogDocument(String apiVersion, List<Environment> environments,
    List<Target> targets, List<StoredPipeline> pipelines) {
  public static final String API_VERSION = "dbops/v1";

  public CatalogDocument {
    // elements stay nullable: an element that could not be read is null, its problems reported
    environments = environments == null ? List.of() : java.util.Collections.unmodifiableList(
        new java.util.ArrayList<>(environments));
    targets = targets == null ? List.of() : java.util.Collections.unmodifiableList(
        new java.util.ArrayList<>(targets));
    pipelines = pipelines == null ? List.of() : java.util.Collections.unmodifiableList(
        new java.util.ArrayList<>(pipelines));
  }
}
