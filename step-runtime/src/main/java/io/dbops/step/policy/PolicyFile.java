package io.dbops.step.policy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Loads policy rules: the built-ins, overridden and extended by a YAML rule file (format in
 * docs/steps.md, POLICY). Every problem in the file is reported at once, each naming the rule.
 */
public final class PolicyFile {
  private PolicyFile() {}

  /** The built-in rules, all with severity ERROR. */
  public static List<PolicyRule> builtins() {
    List<PolicyRule> rules = new ArrayList<>();
    for (BuiltinCheck c : BuiltinCheck.values()) {
      rules.add(new PolicyRule(c.id(), c.description(), new StatementCheck.Builtin(c), PolicyRule.Severity.ERROR,
          Set.of(), Set.of(), Set.of()));
    }
    return rules;
  }

  /** The built-ins merged with the rules of {@code file} (a rule with a built-in's id replaces it). */
  public static List<PolicyRule> load(Path file) throws InvalidPolicyException {
    Object root;
    try (Reader reader = Files.newBufferedReader(file)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (IOException e) {
      throw new InvalidPolicyException("Cannot read policy file " + file + ": " + e.getMessage());
    } catch (YAMLException e) {
      throw new InvalidPolicyException("Policy file " + file + " is not valid YAML: " + oneLine(e.getMessage()));
    }
    return merge(parse(root, file.toString()));
  }

  static List<PolicyRule> merge(List<PolicyRule> fromFile) {
    Map<String, PolicyRule> byId = new LinkedHashMap<>();
    builtins().forEach(r -> byId.put(r.id(), r));
    fromFile.forEach(r -> byId.put(r.id(), r));
    return List.copyOf(byId.values());
  }

  static List<PolicyRule> parse(Object root, String source) throws InvalidPolicyException {
    List<String> problems = new ArrayList<>();
    List<PolicyRule> rules = new ArrayList<>();
    if (root == null) {
      return rules;
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("rules") instanceof List<?> list)) {
      throw new InvalidPolicyException("Policy file " + source + " must be a mapping with a 'rules' list");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "rules[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) {
        problems.add(where + " must be a mapping");
        continue;
      }
      String id = string(m.get("id"));
      if (id.isBlank()) {
        problems.add(where + ": id is required");
        continue;
      }
      where = "rule '" + id + "'";
      if (!ids.add(id)) {
        problems.add(where + " is defined twice");
      }
      for (Object key : m.keySet()) {
        if (!Set.of("id", "description", "pattern", "builtin", "severity", "exempt").contains(String.valueOf(key))) {
          problems.add(where + ": unknown key '" + key + "'");
        }
      }
      String pattern = string(m.get("pattern"));
      String builtin = string(m.get("builtin"));
      if (builtin.isEmpty() && pattern.isEmpty()) {
        builtin = BuiltinCheck.byId(id).map(BuiltinCheck::id).orElse("");
      }
      StatementCheck check = null;
      if (!pattern.isEmpty() && !builtin.isEmpty()) {
        problems.add(where + ": give either pattern or builtin, not both");
      } else if (!pattern.isEmpty()) {
        try {
          check = StatementCheck.Regex.of(pattern);
        } catch (PatternSyntaxException e) {
          problems.add(where + ": pattern is not a valid regular expression: " + oneLine(e.getMessage()));
        }
      } else if (!builtin.isEmpty()) {
        check = BuiltinCheck.byId(builtin).<StatementCheck>map(StatementCheck.Builtin::new).orElse(null);
        if (check == null) {
          problems.add(where + ": unknown builtin '" + builtin + "' (drop-table, drop-column, truncate, narrow-column-type)");
        }
      } else {
        problems.add(where + ": needs a pattern or a builtin");
      }
      PolicyRule.Severity severity = PolicyRule.Severity.ERROR;
      // YAML 1.1 reads an unquoted off/no as false.
      String sev = Boolean.FALSE.equals(m.get("severity")) ? "off" : string(m.get("severity"));
      if (!sev.isEmpty()) {
        try {
          severity = PolicyRule.Severity.valueOf(sev.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          problems.add(where + ": severity must be error, warning or off, not '" + sev + "'");
        }
      }
      Set<String> changesets = Set.of();
      Set<String> contexts = Set.of();
      Set<String> labels = Set.of();
      Object exempt = m.get("exempt");
      if (exempt instanceof Map<?, ?> e) {
        changesets = strings(e.get("changesets"), where + ": exempt.changesets", problems);
        contexts = strings(e.get("contexts"), where + ": exempt.contexts", problems);
        labels = strings(e.get("labels"), where + ": exempt.labels", problems);
        for (Object key : e.keySet()) {
          if (!Set.of("changesets", "contexts", "labels").contains(String.valueOf(key))) {
            problems.add(where + ": unknown key 'exempt." + key + "'");
          }
        }
      } else if (exempt != null) {
        problems.add(where + ": exempt must be a mapping (changesets, contexts, labels)");
      }
      String description = string(m.get("description"));
      if (description.isEmpty() && check instanceof StatementCheck.Builtin b) {
        description = b.kind().description();
      }
      if (check != null) {
        rules.add(new PolicyRule(id, description, check, severity, changesets, contexts, labels));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidPolicyException("Policy file " + source + " is invalid: " + String.join("; ", problems));
    }
    return rules;
  }

  private static Set<String> strings(Object value, String where, List<String> problems) {
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof List<?> list)) {
      problems.add(where + " must be a list");
      return Set.of();
    }
    Set<String> result = new HashSet<>();
    list.forEach(v -> result.add(String.valueOf(v)));
    return result;
  }

  private static String string(Object value) {
    return value == null ? "" : String.valueOf(value).strip();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }

  /** The policy file cannot be used; the message names the file and every problem. */
  public static final class InvalidPolicyException extends Exception {
    public InvalidPolicyException(String message) {
      super(message);
    }
  }
}
