package io.dbops.controlplane.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and checks the body of a webhook create: every problem is listed (docs/api.md
 * "Webhooks"). Pure apart from {@code declaredInputs}, which looks the pipeline up.
 */
final class WebhookDefinitions {
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  static final int MIN_SECRET = 16;
  static final int MAX_SECRET = 200;
  private static final Set<String> FIELDS = Set.of("name", "format", "pipeline", "branches",
      "paths", "inputs", "refInput", "secret");

  /** A checked definition and the secret given (null: the server generates one). */
  record Read(Webhook webhook, String secret) {
    @Override
    public String toString() {
      return "Read[" + webhook + "]";
    }
  }

  private WebhookDefinitions() {}

  /**
   * @param declaredInputs the input names the stored pipeline declares; null when there is no
   *     such pipeline
   */
  static Read read(JsonNode body, Function<String, Set<String>> declaredInputs,
      List<String> problems) {
    if (body == null || !body.isObject()) {
      problems.add("the body must be a JSON object");
      return null;
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        problems.add("unknown field '" + f + "'; allowed: " + new java.util.TreeSet<>(FIELDS));
      }
    }
    String name = text(body, "name", problems);
    if (name == null) {
      problems.add("name is required");
    } else if (!NAME.matcher(name).matches()) {
      problems.add("name '" + name + "' must be 1-63 lower-case letters, digits, '.', '_' or '-',"
          + " starting with a letter or digit");
    }
    String formatText = text(body, "format", problems);
    Webhook.Format format = formatText == null ? null : Webhook.Format.of(formatText);
    if (formatText == null) {
      problems.add("format is required: github, gitlab or generic");
    } else if (format == null) {
      problems.add("format '" + formatText + "' is not one of github, gitlab, generic");
    }
    String pipeline = text(body, "pipeline", problems);
    Set<String> declared = null;
    if (pipeline == null) {
      problems.add("pipeline is required: the stored pipeline the webhook runs");
    } else {
      declared = declaredInputs.apply(pipeline);
      if (declared == null) {
        problems.add("pipeline '" + pipeline + "' does not exist; store it first (dbops apply -f"
            + " or PUT /api/v1/pipelines/" + pipeline + ")");
      }
    }
    List<String> branches = globs(body, "branches", problems);
    List<String> paths = globs(body, "paths", problems);
    Map<String, String> inputs = new LinkedHashMap<>();
    JsonNode in = body.path("inputs");
    if (!in.isMissingNode() && !in.isNull()) {
      if (!in.isObject()) {
        problems.add("inputs must be an object of input name to text value");
      } else {
        in.fields().forEachRemaining(e -> {
          if (!e.getValue().isTextual()) {
            problems.add("inputs." + e.getKey() + " must be text");
          } else {
            inputs.put(e.getKey(), e.getValue().asText());
          }
        });
      }
    }
    String refInput = body.has("refInput") ? (body.get("refInput").isNull() ? null
        : text(body, "refInput", problems)) : "ref";
    if (declared != null) {
      for (String input : inputs.keySet()) {
        if (!declared.contains(input)) {
          problems.add("inputs." + input + ": pipeline '" + pipeline + "' declares no input '"
              + input + "'" + (declared.isEmpty() ? "" : "; it declares " + declared));
        }
      }
      if (refInput != null && !declared.contains(refInput)) {
        problems.add("refInput '" + refInput + "': pipeline '" + pipeline + "' declares no input '"
            + refInput + "' to receive the pushed commit; declare it, name another with refInput,"
            + " or set refInput to null");
      }
      if (refInput != null && inputs.containsKey(refInput)) {
        problems.add("inputs." + refInput + " is set by the push (refInput); remove it");
      }
    }
    String secret = null;
    JsonNode s = body.path("secret");
    if (!s.isMissingNode() && !s.isNull()) {
      if (!s.isTextual()) {
        problems.add("secret must be text");
      } else if (s.asText().length() < MIN_SECRET || s.asText().length() > MAX_SECRET) {
        // the length only, never the value
        problems.add("secret must be " + MIN_SECRET + "-" + MAX_SECRET + " characters; leave it"
            + " out to have one generated");
      } else {
        secret = s.asText();
      }
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new Read(new Webhook(name, format, pipeline, branches, paths, inputs, refInput, null,
        null), secret);
  }

  private static List<String> globs(JsonNode body, String field, List<String> problems) {
    List<String> globs = new ArrayList<>();
    JsonNode node = body.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return globs;
    }
    if (!node.isArray()) {
      problems.add(field + " must be a list of names or globs");
      return globs;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode g = node.get(i);
      String problem = g.isTextual() ? Globs.problem(g.asText()) : "must be text";
      if (problem != null) {
        problems.add(field + "[" + i + "] " + problem);
      } else {
        globs.add(g.asText());
      }
    }
    return globs;
  }

  private static String text(JsonNode body, String field, List<String> problems) {
    JsonNode v = body.path(field);
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      problems.add(field + " must be text");
      return null;
    }
    return v.asText().isBlank() ? null : v.asText().trim();
  }
}
