package io.dbops.step.liquibase;

import io.dbops.step.policy.ColumnTypes;
import io.dbops.step.policy.PlannedChangeSet;
import io.dbops.step.policy.PolicyChecker;
import io.dbops.step.policy.PolicyFile;
import io.dbops.step.policy.PolicyRule;
import io.dbops.step.policy.SqlType;
import io.dbops.step.policy.Violation;
import io.dbops.support.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;

/**
 * POLICY: renders the SQL of each pending changeset the way a preview does (Liquibase's SQL
 * generators over each change's statements; no history or lock bookkeeping) and checks every
 * statement against the built-in rules and the request's rule file. Changes nothing.
 */
final class PolicyRunner {
  private final StepCommand command;
  private final MaskingLog log;
  private final Path searchRoot;

  PolicyRunner(StepCommand command, MaskingLog log, Path searchRoot) {
    this.command = command;
    this.log = log;
    this.searchRoot = searchRoot;
  }

  StepOutcome run(Database database, List<ChangeSet> pending, Connection live) throws Exception {
    List<PolicyRule> rules;
    if (command.policyFile().isEmpty()) {
      rules = PolicyFile.builtins();
    } else {
      Path file = searchRoot.resolve(command.policyFile()).normalize();
      if (!Files.isRegularFile(file)) {
        return StepOutcome.failed("Policy file " + file + " does not exist (policy_file '" + command.policyFile()
            + "', relative to " + searchRoot + ").", Map.of(), List.of());
      }
      try {
        rules = PolicyFile.load(file);
      } catch (PolicyFile.InvalidPolicyException e) {
        return StepOutcome.failed(e.getMessage(), Map.of(), List.of());
      }
    }
    List<PlannedChangeSet> planned = new ArrayList<>();
    int statements = 0;
    for (ChangeSet cs : pending) {
      List<String> sql = new ArrayList<>();
      for (Change change : cs.getChanges()) {
        for (Sql s : SqlGeneratorFactory.getInstance().generateSql(change, database)) {
          sql.add(s.toSql());
        }
      }
      statements += sql.size();
      planned.add(new PlannedChangeSet(cs.getFilePath(), cs.getId(), cs.getAuthor(), contexts(cs),
          cs.getLabels() == null ? Set.of() : cs.getLabels().getLabels(), sql));
    }
    List<Violation> violations = new PolicyChecker(rules).check(planned, liveTypes(live));
    List<Violation> errors = violations.stream().filter(v -> v.severity() == PolicyRule.Severity.ERROR).toList();
    for (Violation v : violations) {
      log.warn("Policy " + v.severity().name().toLowerCase(Locale.ROOT) + ": " + v.describe());
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("violationCount", Integer.toString(errors.size()));
    outputs.put("warningCount", Integer.toString(violations.size() - errors.size()));
    outputs.put("violations", log.mask(Json.write(violations)));
    outputs.put("checkedChangesets", Integer.toString(planned.size()));
    outputs.put("checkedStatements", Integer.toString(statements));
    outputs.put("rules", String.join(",", rules.stream()
        .filter(r -> r.severity() != PolicyRule.Severity.OFF).map(PolicyRule::id).toList()));
    List<ChangeSetOutcome> records = pending.stream().map(cs -> ChangeSetTracker.record(cs, "PENDING", 0, 0)).toList();
    if (!errors.isEmpty()) {
      return StepOutcome.failed("Policy violation: " + errors.get(0).describe()
          + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more; see the violations output)" : ""),
          outputs, records);
    }
    log.info("Policy check passed: " + planned.size() + " pending changeset(s), " + statements + " statement(s), "
        + (violations.size() - errors.size()) + " warning(s).");
    return StepOutcome.succeeded(outputs, records);
  }

  /** Context names a changeset's context expressions (its own and its includes') mention. */
  private static Set<String> contexts(ChangeSet cs) {
    Set<String> names = new LinkedHashSet<>();
    List<Object> expressions = new ArrayList<>();
    expressions.add(cs.getContextFilter());
    if (cs.getInheritableContextFilter() != null) {
      expressions.addAll(cs.getInheritableContextFilter());
    }
    for (Object e : expressions) {
      if (e == null) {
        continue;
      }
      for (String token : e.toString().split("[^\\w$.-]+")) {
        String t = token.toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !t.equals("and") && !t.equals("or") && !t.equals("not")) {
          names.add(t);
        }
      }
    }
    return names;
  }

  /** Current column types from the live database's metadata, looked up lazily. */
  private static ColumnTypes liveTypes(Connection live) {
    Map<String, Optional<SqlType>> cache = new HashMap<>();
    return (table, column) -> cache.computeIfAbsent((table + "." + column).toLowerCase(Locale.ROOT), k -> {
      try {
        DatabaseMetaData md = live.getMetaData();
        for (String t : List.of(table, table.toLowerCase(Locale.ROOT), table.toUpperCase(Locale.ROOT))) {
          try (ResultSet rs = md.getColumns(live.getCatalog(), live.getSchema(), t, null)) {
            while (rs.next()) {
              if (rs.getString("COLUMN_NAME").equalsIgnoreCase(column)) {
                return Optional.of(SqlType.parse(typeText(rs)));
              }
            }
          }
        }
      } catch (SQLException e) {
        // Unknown type: the narrowing check cannot judge this column.
      }
      return Optional.empty();
    });
  }

  private static String typeText(ResultSet rs) throws SQLException {
    String name = rs.getString("TYPE_NAME");
    long size = rs.getLong("COLUMN_SIZE");
    int digits = rs.getInt("DECIMAL_DIGITS");
    return switch (rs.getInt("DATA_TYPE")) {
      case java.sql.Types.CHAR, java.sql.Types.VARCHAR, java.sql.Types.NCHAR, java.sql.Types.NVARCHAR ->
          size > 0 && size < Integer.MAX_VALUE / 2 && !name.toLowerCase(Locale.ROOT).contains("text")
              ? name + "(" + size + ")" : name;
      case java.sql.Types.NUMERIC, java.sql.Types.DECIMAL -> size > 0 ? name + "(" + size + "," + digits + ")" : name;
      default -> name;
    };
  }
}
