package io.dbops.controlplane.catalog;

import io.dbops.controlplane.identity.Role;
import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.JdbcUrlPasswords;
import io.dbops.pipeline.PipelineException;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.pipeline.PipelineValidator;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.secrets.SecretSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The rules of stored objects (docs/environments.md), each problem starting with its path
 * ({@code targets[2].environment ...}): names, references between objects, no password in a JDBC
 * URL, secret references, Liquibase names, inputs, and the pipeline rules of
 * {@link PipelineValidator}. Pure; thread-safe.
 */
final class CatalogValidator {
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
  private static final Pattern SELECTOR = Pattern.compile("[^\\s,]{1,200}");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
  private static final String NAME_RULE = "must be 1-64 letters, digits, '.', '_' or '-', starting"
      + " with a letter or digit";
  private static final int MAX_APPROVERS = 20;
  private static final int MAX_APPROVAL_SECONDS = 30 * 24 * 3600;

  private final PipelineValidator pipelines;

  CatalogValidator(PipelineLimits limits) {
    this.pipelines = new PipelineValidator(limits);
  }

  /** Every object of a document, against each other and what is stored. */
  void document(CatalogDocument doc, Set<String> storedEnvironments, Set<String> storedTargets,
      List<String> problems) {
    Set<String> environments = new HashSet<>(storedEnvironments);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < doc.environments().size(); i++) {
      Environment e = doc.environments().get(i);
      if (e != null) {
        environment(e, "environments[" + i + "]", problems);
        unique("environments[" + i + "]", e.name(), seen, problems);
        environments.add(e.name());
      }
    }
    Set<String> targets = new HashSet<>(storedTargets);
    seen.clear();
    for (int i = 0; i < doc.targets().size(); i++) {
      Target t = doc.targets().get(i);
      if (t != null) {
        target(t, "targets[" + i + "]", environments::contains, problems);
        unique("targets[" + i + "]", t.name(), seen, problems);
        targets.add(t.name());
      }
    }
    seen.clear();
    for (int i = 0; i < doc.pipelines().size(); i++) {
      StoredPipeline p = doc.pipelines().get(i);
      if (p != null) {
        pipeline(p, "pipelines[" + i + "]", targets::contains, problems);
        unique("pipelines[" + i + "]", p.name(), seen, problems);
      }
    }
  }

  void environment(Environment e, String where, List<String> problems) {
    name(where, e.name(), problems);
    if (e.order() != null && (e.order() < 0 || e.order() > 1_000_000)) {
      problems.add(at(where, "order") + " must be between 0 and 1000000");
    }
    if (e.refreshMinutes() != null && (e.refreshMinutes() < 1 || e.refreshMinutes() > 10_080)) {
      problems.add(at(where, "refreshMinutes") + " must be between 1 and 10080 (a week), not "
          + e.refreshMinutes() + "; leave it out for no scheduled refresh");
    }
    if (e.protection() == null) {
      return;
    }
    String rules = at(where, "protection");
    ApprovalRule approval = e.protection().approval();
    if (approval != null) {
      String a = rules + ".approval";
      if (approval.required() != null
          && (approval.required() < 1 || approval.required() > MAX_APPROVERS)) {
        problems.add(a + ".required must be between 1 and " + MAX_APPROVERS);
      }
      for (int i = 0; i < approval.roles().size(); i++) {
        String role = approval.roles().get(i);
        if (role == null || Role.parse(role).isEmpty()) {
          problems.add(a + ".roles[" + i + "] must be one of viewer, deployer, approver, admin"
              + (role == null ? "" : ", not '" + role + "'"));
        }
      }
      for (int i = 0; i < approval.groups().size(); i++) {
        String group = approval.groups().get(i);
        if (group == null || group.isBlank() || group.length() > 200) {
          problems.add(a + ".groups[" + i + "] must be a group name of 1-200 characters");
        }
      }
      if (approval.timeoutSeconds() != null && (approval.timeoutSeconds() < 1
          || approval.timeoutSeconds() > MAX_APPROVAL_SECONDS)) {
        problems.add(a + ".timeoutSeconds must be between 1 and " + MAX_APPROVAL_SECONDS
            + " (30 days)");
      }
    }
    selectors(rules + ".delegateSelectors", e.protection().delegateSelectors(), problems);
  }

  void target(Target t, String where, Predicate<String> environmentExists, List<String> problems) {
    name(where, t.name(), problems);
    if (blank(t.environment())) {
      problems.add(at(where, "environment") + " is required (the name of a stored environment)");
    } else if (!environmentExists.test(t.environment())) {
      problems.add(at(where, "environment") + " names environment '" + t.environment()
          + "', which is neither stored nor in this document");
    }
    if (blank(t.url())) {
      problems.add(at(where, "url") + " is required (a JDBC URL)");
    } else {
      if (!t.url().startsWith("jdbc:")) {
        problems.add(at(where, "url") + " must be a JDBC URL starting with 'jdbc:'");
      }
      // The URL is never echoed: it may hold the password.
      JdbcUrlPasswords.find(t.url()).ifPresent(found -> problems.add(at(where, "url")
          + " must not contain a password (found in " + found + "); put the password in a secret"
          + " and name it in " + at(where, "passwordFrom") + " (" + SecretSource.FORMS + ")"));
    }
    // Never echoed either: a password pasted here by mistake must not reach a log.
    if (t.passwordFrom() != null && SecretSource.parse(t.passwordFrom()).isEmpty()) {
      problems.add(at(where, "passwordFrom") + " must be one of " + SecretSource.FORMS);
    }
    selectors(at(where, "delegateSelectors"), t.delegateSelectors(), problems);
    for (Map.Entry<String, String> label : t.labels().entrySet()) {
      if (!LABEL_KEY.matcher(label.getKey()).matches()) {
        problems.add(at(where, "labels") + " key '" + label.getKey() + "' must be 1-63 letters,"
            + " digits, '.', '_', '/' or '-'");
      }
      if (label.getValue() == null || label.getValue().length() > 256) {
        problems.add(at(where, "labels." + label.getKey()) + " must be a value of 0-256 characters");
      }
    }
    Target.Liquibase lb = t.liquibase();
    if (lb != null) {
      String l = at(where, "liquibase");
      identifier(l + ".databaseChangelogTableName", lb.databaseChangelogTableName(), problems);
      identifier(l + ".databaseChangelogLockTableName", lb.databaseChangelogLockTableName(), problems);
      identifier(l + ".defaultSchemaName", lb.defaultSchemaName(), problems);
      identifier(l + ".liquibaseSchemaName", lb.liquibaseSchemaName(), problems);
      for (String key : lb.parameters().keySet()) {
        if (blank(key)) {
          problems.add(l + ".parameters has an empty name");
        }
      }
    }
  }

  void pipeline(StoredPipeline p, String where, Predicate<String> targetExists,
      List<String> problems) {
    name(where, p.name(), problems);
    Inputs.check(p, where, problems);
    for (int i = 0; i < p.stages().size(); i++) {
      Stage stage = p.stages().get(i);
      String s = at(where, "stages[" + i + "]");
      if (stage == null) {
        continue; // PipelineValidator reports it
      }
      if (stage.database() != null) {
        problems.add(s + ".database: a stored pipeline's stage names a stored target in 'target',"
            + " not a database (an ad-hoc pipeline may still name one)");
      }
      if (stage.environment() != null) {
        problems.add(s + ".environment: a stored pipeline's stage takes its environment from its"
            + " target; remove it");
      }
      if (stage.hasTargetGroup()) {
        // a rollout stage: its group is resolved when the pipeline runs (docs/fleet-rollouts.md)
      } else if (blank(stage.target())) {
        problems.add(s + ".target is required (the name of a stored target, or a targetGroup)");
      } else if (!targetExists.test(stage.target())) {
        problems.add(s + ".target names target '" + stage.target() + "', which is neither stored"
            + " nor in this document");
      }
      for (int j = 0; j < stage.steps().size(); j++) {
        Step step = stage.steps().get(j);
        if (step != null && (step.searchPath() == null || !absolute(step.searchPath()))) {
          problems.add(s + ".steps[" + j + "].searchPath must be an absolute path; `dbops apply"
              + " -f` sends the file's directory for it (API: ?baseDirectory=/absolute/dir)");
        }
      }
    }
    try {
      pipelines.validate(where, p.pipeline());
    } catch (PipelineException e) {
      for (String problem : e.problems()) {
        if (!problem.startsWith("'name'")) {
          problems.add(problem.startsWith("'") ? at(where, problem.substring(1).replaceFirst("'", ""))
              : at(where, problem));
        }
      }
    }
  }

  static boolean absolute(String path) {
    return path.startsWith("/") || path.matches("[A-Za-z]:[\\\\/].*");
  }

  private static void name(String where, String name, List<String> problems) {
    if (blank(name)) {
      problems.add(at(where, "name") + " is required");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(at(where, "name") + " '" + name + "' " + NAME_RULE);
    }
  }

  private static void unique(String where, String name, Set<String> seen, List<String> problems) {
    if (name != null && !seen.add(name)) {
      problems.add(at(where, "name") + " '" + name + "' is used twice in this document");
    }
  }

  private static void selectors(String where, List<String> selectors, List<String> problems) {
    for (int i = 0; i < selectors.size(); i++) {
      String s = selectors.get(i);
      if (s == null || !SELECTOR.matcher(s).matches()) {
        problems.add(where + "[" + i + "] must be a delegate tag of 1-200 characters without"
            + " spaces or commas");
      }
    }
  }

  private static void identifier(String where, String value, List<String> problems) {
    if (value != null && !IDENTIFIER.matcher(value).matches()) {
      problems.add(where + " '" + value + "' must be an SQL name: a letter or '_', then letters,"
          + " digits, '_' or '$' (at most 63)");
    }
  }

  static String at(String where, String field) {
    return where.isEmpty() ? field : where + "." + field;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
