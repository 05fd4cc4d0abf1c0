package io.dbops.controlplane.catalog;

import io.dbops.controlplane.store.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The tables of stored objects: {@code catalog_objects} (one row per environment, target and
 * pipeline, its canonical JSON) and {@code catalog_pipeline_versions} (every version of every
 * pipeline, kept when the pipeline is deleted). Statements take the connection of the caller's
 * transaction ({@link Sql#inTransaction}). Thread-safe.
 */
final class CatalogStore {
  /** One stored object. */
  record Row(Kind kind, String name, String definition, String environment, Integer version,
      Instant createdAt, Instant updatedAt, String updatedBy) {}

  /** One version of a pipeline. */
  record Version(String name, int version, String definition, String hash, Instant createdAt,
      String createdBy) {}

  private static final String COLUMNS = "kind, name, definition, environment, version, created_at,"
      + " updated_at, updated_by";

  List<Row> list(Connection c, Kind kind) throws SQLException {
    return Sql.query(c, "SELECT " + COLUMNS + " FROM catalog_objects WHERE kind = ? ORDER BY name",
        CatalogStore::row, 0, kind.id());
  }

  Optional<Row> find(Connection c, Kind kind, String name) throws SQLException {
    return Sql.query(c, "SELECT " + COLUMNS + " FROM catalog_objects WHERE kind = ? AND name = ?",
        CatalogStore::row, 1, kind.id(), name).stream().findFirst();
  }

  void insert(Connection c, Row row) throws SQLException {
    Sql.update(c, "INSERT INTO catalog_objects (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        row.kind().id(), row.name(), row.definition(), row.environment(), row.version(),
        row.createdAt().toEpochMilli(), row.updatedAt().toEpochMilli(), row.updatedBy());
  }

  void update(Connection c, Row row) throws SQLException {
    Sql.update(c, "UPDATE catalog_objects SET definition = ?, environment = ?, version = ?,"
        + " updated_at = ?, updated_by = ? WHERE kind = ? AND name = ?", row.definition(),
        row.environment(), row.version(), row.updatedAt().toEpochMilli(), row.updatedBy(),
        row.kind().id(), row.name());
  }

  boolean delete(Connection c, Kind kind, String name) throws SQLException {
    return Sql.update(c, "DELETE FROM catalog_objects WHERE kind = ? AND name = ?", kind.id(),
        name) > 0;
  }

  /** Names of the targets in {@code environment}. */
  List<String> targetsIn(Connection c, String environment) throws SQLException {
    return Sql.query(c, "SELECT name FROM catalog_objects WHERE kind = ? AND environment = ?"
        + " ORDER BY name", rs -> rs.getString(1), 0, Kind.TARGET.id(), environment);
  }

  /** The highest version a pipeline of this name ever had; 0 for none. */
  int lastVersion(Connection c, String name) throws SQLException {
    return Sql.query(c, "SELECT MAX(version) FROM catalog_pipeline_versions WHERE name = ?",
        rs -> rs.getInt(1), 1, name).stream().findFirst().orElse(0);
  }

  void insertVersion(Connection c, Version v) throws SQLException {
    Sql.update(c, "INSERT INTO catalog_pipeline_versions (name, version, definition, content_hash,"
        + " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)", v.name(), v.version(),
        v.definition(), v.hash(), v.createdAt().toEpochMilli(), v.createdBy());
  }

  /** Every version of a pipeline, newest first. */
  List<Version> versions(Connection c, String name) throws SQLException {
    return Sql.query(c, "SELECT name, version, definition, content_hash, created_at, created_by"
        + " FROM catalog_pipeline_versions WHERE name = ? ORDER BY version DESC",
        CatalogStore::version, 0, name);
  }

  Optional<Version> version(Connection c, String name, int version) throws SQLException {
    return Sql.query(c, "SELECT name, version, definition, content_hash, created_at, created_by"
        + " FROM catalog_pipeline_versions WHERE name = ? AND version = ?",
        CatalogStore::version, 1, name, version).stream().findFirst();
  }

  private static Row row(ResultSet rs) throws SQLException {
    int number = rs.getInt("version");
    Integer version = rs.wasNull() ? null : number;
    return new Row(Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT)),
        rs.getString("name"), rs.getString("definition"), rs.getString("environment"),
        version, Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")), rs.getString("updated_by"));
  }

  private static Version version(ResultSet rs) throws SQLException {
    return new Version(rs.getString("name"), rs.getInt("version"), rs.getString("definition"),
        rs.getString("content_hash"), Instant.ofEpochMilli(rs.getLong("created_at")),
        rs.getString("created_by"));
  }
}
