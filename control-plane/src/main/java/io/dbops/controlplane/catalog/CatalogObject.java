package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A stored object as the API shows it: what it is, who changed it last, and its definition
 * ({@code spec}, exactly what a PUT or the declarative file gives).
 *
 * @param version a pipeline's version; null for environments and targets
 */
public record CatalogObject(String kind, String name, Integer version, Instant createdAt,
    Instant updatedAt, String updatedBy, JsonNode spec) {}
