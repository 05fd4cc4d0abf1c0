package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.support.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stored pipeline's declared inputs: the values a run gives, and their {@code ${inputs.NAME}}
 * substitution into the steps' string fields ({@link #FIELDS} and parameter values), never into a
 * database, a secret reference, a name or a search path. Pure; thread-safe.
 */
final class Inputs {
  /** The step fields inputs are substituted into, besides the values of {@code parameters}. */
  static final Set<String> FIELDS = Set.of("changelog", "contexts", "labels", "tag", "ref", "repo",
      "into", "policyFile");
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
  static final int MAX_VALUE = 1000;
  private static final Pattern REF = Pattern.compile("\\$\\{inputs\\.([^}]*)}");

  private Inputs() {}

  /** Declarations and references of {@code pipeline} ({@code where}: {@code pipelines[1]}). */
  static void check(StoredPipeline pipeline, String where, List<String> problems) {
    Set<String> declared = new HashSet<>();
    for (int i = 0; i < pipeline.inputs().size(); i++) {
      PipelineInput input = pipeline.inputs().get(i);
      String at = where + ".inputs[" + i + "]";
      if (input == null) {
        problems.add(at + " is empty");
        continue;
      }
      if (input.name() == null || !NAME.matcher(input.name()).matches()) {
        problems.add(at + ".name must be 1-64 letters, digits, '_' or '-', starting with a letter"
            + " or '_'" + (input.name() == null ? "" : ", not '" + input.name() + "'"));
      } else if (!declared.add(input.name())) {
        problems.add(at + ".name '" + input.name() + "' is declared twice");
      }
      if (input.defaultValue() != null) {
        checkValue(at + ".default", input.defaultValue(), problems);
      }
    }
    for (int s = 0; s < pipeline.stages().size(); s++) {
      Stage stage = pipeline.stages().get(s);
      if (stage != null) {
        walk(Json.tree(stage), where + ".stages[" + s + "]", "", declared, problems);
      }
    }
  }

  /**
   * The value of every declared input for a run: given, else its default; problems for unknown
   * names, missing required ones and unusable values.
   */
  static Map<String, String> values(List<PipelineInput> declared, Map<String, String> given,
      List<String> problems) {
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> names = new TreeSet<>();
    for (PipelineInput input : declared) {
      names.add(input.name());
      String value = given.get(input.name());
      if (value == null) {
        value = input.defaultValue();
      }
      if (value == null && Boolean.TRUE.equals(input.required())) {
        problems.add("input '" + input.name() + "' is required"
            + (input.description() == null ? "" : " (" + input.description() + ")")
            + "; give it with --input " + input.name() + "=VALUE");
        continue;
      }
      if (value != null) {
        checkValue("input '" + input.name() + "'", value, problems);
      }
      values.put(input.name(), value == null ? "" : value);
    }
    for (String name : new TreeSet<>(given.keySet())) {
      if (!names.contains(name)) {
        problems.add("input '" + name + "' is not declared by the pipeline"
            + (names.isEmpty() ? ", which declares none" : "; it declares " + names));
      }
    }
    return values;
  }

  /** {@code pipeline} with every {@code ${inputs.NAME}} in the step fields replaced. */
  static Pipeline substitute(Pipeline pipeline, Map<String, String> values) {
    List<Stage> stages = new ArrayList<>();
    for (Stage stage : pipeline.stages()) {
      List<Step> steps = new ArrayList<>();
      for (Step step : stage.steps()) {
        ObjectNode node = (ObjectNode) Json.tree(step);
        for (String field : FIELDS) {
          if (node.path(field).isTextual()) {
            node.put(field, replace(node.get(field).asText(), values));
          }
        }
        if (node.path("parameters").isObject()) {
          ObjectNode parameters = (ObjectNode) node.get("parameters");
          for (Iterator<Map.Entry<String, JsonNode>> it = parameters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
              e.setValue(new TextNode(replace(e.getValue().asText(), values)));
            }
          }
        }
        steps.add(Json.convert(node, Step.class));
      }
      stages.add(stage.withSteps(steps));
    }
    return new Pipeline(pipeline.name(), stages);
  }

  static String replace(String text, Map<String, String> values) {
    Matcher m = REF.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(b, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(b);
    return b.toString();
  }

  private static void checkValue(String what, String value, List<String> problems) {
    if (value.length() > MAX_VALUE) {
      problems.add(what + " is longer than " + MAX_VALUE + " characters");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      problems.add(what + " must not contain control characters (line breaks, tabs, ...)");
    }
    if (value.contains("${")) {
      problems.add(what + " must not contain '${'");
    }
  }

  /** References in a stage's JSON: only in substituted step fields, and only to declared inputs. */
  private static void walk(JsonNode node, String where, String relative, Set<String> declared,
      List<String> problems) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(e.getValue(), where + "." + e.getKey(),
            relative.isEmpty() ? e.getKey() : relative + "." + e.getKey(), declared, problems);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), where + "[" + i + "]", relative + "[" + i + "]", declared, problems);
      }
    } else if (node.isTextual() && node.asText().contains("${inputs.")) {
      if (!substituted(relative)) {
        problems.add(where + " uses ${inputs...}, which is replaced only in the step fields "
            + new TreeSet<>(FIELDS) + " and parameter values");
        return;
      }
      Matcher m = REF.matcher(node.asText());
      while (m.find()) {
        if (!declared.contains(m.group(1))) {
          problems.add(where + " uses ${inputs." + m.group(1) + "}, but the pipeline declares no"
              + " input '" + m.group(1) + "'" + (declared.isEmpty() ? "" : " (it declares "
              + new TreeSet<>(declared) + ")"));
        }
      }
    }
  }

  private static boolean substituted(String relative) {
    Matcher m = Pattern.compile("steps\\[\\d+]\\.(\\w+)(\\..+)?").matcher(relative);
    if (!m.matches()) {
      return false;
    }
    return FIELDS.contains(m.group(1)) && m.group(2) == null
        || "parameters".equals(m.group(1)) && m.group(2) != null;
  }
}
