package io.dbops.controlplane.catalog;

/**
 * What a put or an apply did (or, in a dry run, would do) to one object.
 *
 * @param action {@code created}, {@code updated} or {@code unchanged}
 * @param version a pipeline's version after the change; null for other kinds
 */
public record Change(String kind, String name, String action, Integer version) {}
