package io.dbops.step.drift;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tables (and views), columns, primary keys, indexes (unique ones included, which is how
 * unique constraints appear in JDBC metadata) and foreign keys of one schema, read through {@link
 * DatabaseMetaData}; on PostgreSQL also column defaults and sequences. Keys are lower-cased names.
 * Immutable.
 */
public record SchemaSnapshot(Map<String, Table> tables, Map<String, Sequence> sequences) {

  /** Liquibase's own tables, never compared. */
  public static final Set<String> LIQUIBASE_TABLES = Set.of("databasechangelog", "databasechangeloglock");

  public SchemaSnapshot {
    tables = Map.copyOf(tables);
    sequences = Map.copyOf(sequences);
  }

  /** Without sequences (databases whose sequences are not compared). */
  public SchemaSnapshot(Map<String, Table> tables) {
    this(tables, Map.of());
  }

  /** A table or view. {@code type} is TABLE or VIEW. */
  public record Table(String name, String type, Map<String, Column> columns, List<String> primaryKey,
      List<Index> indexes, List<ForeignKey> foreignKeys) {
    public Table {
      columns = Map.copyOf(columns);
      primaryKey = List.copyOf(primaryKey);
      indexes = List.copyOf(indexes);
      foreignKeys = List.copyOf(foreignKeys);
    }
  }

  /**
   * {@code type} as "varchar(50)", "numeric(10,2)", "int4". {@code defaultValue} is the default
   * expression as the database prints it (PostgreSQL only); null when none or not compared.
   */
  public record Column(String name, String type, boolean nullable, String defaultValue) {
    public Column(String name, String type, boolean nullable) {
      this(name, type, nullable, null);
    }

    String describe() {
      return type + (nullable ? " NULL" : " NOT NULL") + (defaultValue == null ? "" : " DEFAULT " + defaultValue);
    }
  }

  /** An index; columns lower-cased, in index order. */
  public record Index(String name, boolean unique, List<String> columns) {
    String signature() {
      return (unique ? "unique " : "") + "(" + String.join(", ", columns) + ")";
    }
  }

  /** A foreign key; columns lower-cased. */
  public record ForeignKey(String name, List<String> columns, String referencedTable, List<String> referencedColumns) {
    String signature() {
      return "(" + String.join(", ", columns) + ") -> " + referencedTable + "(" + String.join(", ", referencedColumns) + ")";
    }
  }

  /** Reads the schema the connection is in (its catalog and schema), without Liquibase's default tables. */
  public static SchemaSnapshot read(Connection connection) throws SQLException {
    return read(connection, LIQUIBASE_TABLES);
  }

  /**
   * Reads the schema the connection is in, without the tables named in {@code ignored}
   * (lower-case): Liquibase's history and lock tables under the names the target gives them.
   */
  public static SchemaSnapshot read(Connection connection, Set<String> ignored) throws SQLException {
    String catalog = connection.getCatalog();
    String schema = connection.getSchema();
    DatabaseMetaData md = connection.getMetaData();
    Map<String, Table> tables = new TreeMap<>();
    List<String[]> names = new ArrayList<>();
    try (ResultSet rs = md.getTables(catalog, schema, "%", new String[] {"TABLE", "VIEW", "BASE TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (!ignored.contains(key(name))) {
          names.add(new String[] {name, rs.getString("TABLE_TYPE").contains("VIEW") ? "VIEW" : "TABLE"});
        }
      }
    }
    // Defaults and sequences only where the scratch database reproduces them exactly: H2 names
    // identity sequences randomly, and MariaDB's defaults add little beyond the column type.
    boolean postgres = md.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
    for (String[] t : names) {
      tables.put(key(t[0]), readTable(md, catalog, schema, t[0], t[1], postgres));
    }
    return new SchemaSnapshot(tables, postgres ? PostgresSequences.read(connection) : Map.of());
  }

  /** A sequence; {@code definition} as "bigint start 1 increment 1 min 1 max 9223372036854775807 no cycle". */
  public record Sequence(String name, String definition) {}

  private static Table readTable(DatabaseMetaData md, String catalog, String schema, String name, String type,
      boolean withDefaults) throws SQLException {
    Map<String, Column> columns = new TreeMap<>();
    try (ResultSet rs = md.getColumns(catalog, schema, name, "%")) {
      while (rs.next()) {
        String column = rs.getString("COLUMN_NAME");
        columns.put(key(column), new Column(column, typeOf(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"),
            rs.getLong("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS")), "YES".equals(rs.getString("IS_NULLABLE")),
            withDefaults ? rs.getString("COLUMN_DEF") : null));
      }
    }
    if (type.equals("VIEW")) {
      return new Table(name, type, columns, List.of(), List.of(), List.of());
    }
    TreeMap<Integer, String> pk = new TreeMap<>();
    String pkName = null;
    try (ResultSet rs = md.getPrimaryKeys(catalog, schema, name)) {
      while (rs.next()) {
        pk.put(rs.getInt("KEY_SEQ"), key(rs.getString("COLUMN_NAME")));
        pkName = rs.getString("PK_NAME");
      }
    }
    Map<String, TreeMap<Integer, String>> indexColumns = new TreeMap<>();
    Map<String, Boolean> unique = new TreeMap<>();
    try (ResultSet rs = md.getIndexInfo(catalog, schema, name, false, false)) {
      while (rs.next()) {
        String index = rs.getString("INDEX_NAME");
        if (index == null || rs.getShort("TYPE") == DatabaseMetaData.tableIndexStatistic) {
          continue;
        }
        String column = rs.getString("COLUMN_NAME");
        indexColumns.computeIfAbsent(index, k -> new TreeMap<>())
            .put((int) rs.getShort("ORDINAL_POSITION"), column == null ? "?" : key(column));
        unique.put(index, !rs.getBoolean("NON_UNIQUE"));
      }
    }
    List<String> pkColumns = List.copyOf(pk.values());
    List<Index> indexes = new ArrayList<>();
    for (var e : indexColumns.entrySet()) {
      List<String> cols = List.copyOf(e.getValue().values());
      boolean isPk = e.getKey().equals(pkName) || e.getKey().equalsIgnoreCase("PRIMARY")
          || (unique.get(e.getKey()) && cols.equals(pkColumns) && e.getKey().toUpperCase(Locale.ROOT).startsWith("PRIMARY_KEY"));
      if (!isPk) {
        indexes.add(new Index(e.getKey(), unique.get(e.getKey()), cols));
      }
    }
    Map<String, ForeignKey> fks = new TreeMap<>();
    try (ResultSet rs = md.getImportedKeys(catalog, schema, name)) {
      while (rs.next()) {
        String fk = rs.getString("FK_NAME");
        String fkKey = fk == null ? rs.getString("PKTABLE_NAME") + "#" + rs.getString("FKCOLUMN_NAME") : fk;
        ForeignKey existing = fks.get(fkKey);
        List<String> cols = new ArrayList<>(existing == null ? List.of() : existing.columns());
        List<String> refs = new ArrayList<>(existing == null ? List.of() : existing.referencedColumns());
        cols.add(key(rs.getString("FKCOLUMN_NAME")));
        refs.add(key(rs.getString("PKCOLUMN_NAME")));
        fks.put(fkKey, new ForeignKey(fk == null ? fkKey : fk, cols, key(rs.getString("PKTABLE_NAME")), refs));
      }
    }
    return new Table(name, type, columns, pkColumns, indexes, List.copyOf(fks.values()));
  }

  static String typeOf(String typeName, int dataType, long size, int digits) {
    String t = typeName == null ? "?" : typeName.toLowerCase(Locale.ROOT);
    boolean sized = size > 0 && size < Integer.MAX_VALUE / 2;
    return switch (dataType) {
      case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.BINARY, Types.VARBINARY ->
          sized ? t + "(" + size + ")" : t;
      case Types.NUMERIC, Types.DECIMAL -> sized ? t + "(" + size + "," + digits + ")" : t;
      default -> t;
    };
  }

  static String key(String name) {
    return name == null ? "" : name.toLowerCase(Locale.ROOT);
  }
}
