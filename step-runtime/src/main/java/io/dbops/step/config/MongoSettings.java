package io.dbops.step.config;

import io.dbops.config.EnvReader;
import java.util.Map;

/**
 * How liquibase-mongodb sets up its tracking collections (DATABASECHANGELOGLOCK and
 * DATABASECHANGELOG) on MongoDB targets. Both default to the extension's own defaults ({@code
 * true}); turn them off for servers that lack the commands they need (Amazon DocumentDB, Azure
 * Cosmos DB, the mongo-java-server emulator the tests use).
 *
 * @param supportsValidator create the tracking collections with JSON-schema validators ({@code
 *     DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR}, Liquibase's {@code liquibase.mongodb.supportsValidator})
 * @param adjustTrackingCollections check and adjust the tracking collections' indexes and
 *     validators at every step ({@code DBOPS_STEP_MONGODB_ADJUST_TRACKING_COLLECTIONS}, Liquibase's
 *     {@code liquibase.mongodb.adjustTrackingTablesOnStartup})
 */
public record MongoSettings(boolean supportsValidator, boolean adjustTrackingCollections) {
  public static final String SUPPORTS_VALIDATOR = "DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR";
  public static final String ADJUST_TRACKING_COLLECTIONS = "DBOPS_STEP_MONGODB_ADJUST_TRACKING_COLLECTIONS";
  /** The liquibase-mongodb configuration keys these settings are passed to Liquibase as. */
  public static final String LIQUIBASE_SUPPORTS_VALIDATOR = "liquibase.mongodb.supportsValidator";
  public static final String LIQUIBASE_ADJUST_TRACKING = "liquibase.mongodb.adjustTrackingTablesOnStartup";

  /** The extension's defaults: validators on, adjusted at every step. */
  public static MongoSettings defaults() {
    return new MongoSettings(true, true);
  }

  /** For servers without {@code collMod} and validators: both off. */
  public static MongoSettings withoutValidators() {
    return new MongoSettings(false, false);
  }

  /** Reads both variables (unset or blank: {@code true}); problems go to {@code reader}. */
  static MongoSettings read(EnvReader reader) {
    return new MongoSettings(reader.bool(SUPPORTS_VALIDATOR, true), reader.bool(ADJUST_TRACKING_COLLECTIONS, true));
  }

  /** The Liquibase scope values that carry these settings to liquibase-mongodb for one step. */
  public Map<String, Object> liquibaseScope() {
    return Map.of(LIQUIBASE_SUPPORTS_VALIDATOR, supportsValidator, LIQUIBASE_ADJUST_TRACKING, adjustTrackingCollections);
  }
}
