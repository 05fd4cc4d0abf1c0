package io.dbops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/** The output of {@code helm template}: the text as Helm printed it, and each document parsed. */
record Manifests(String text, List<JsonNode> documents) {
  static final ObjectMapper YAML = new YAMLMapper();

  static Manifests parse(String text) {
    List<JsonNode> documents = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(text)) {
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNext()) {
        JsonNode doc = values.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          documents.add(doc);
        }
      }
    } catch (IOException e) {
      throw new AssertionError("helm template printed invalid YAML: " + e.getMessage() + "\n" + text, e);
    }
    return new Manifests(text, List.copyOf(documents));
  }

  List<String> kinds() {
    return documents.stream().map(d -> d.path("kind").asText()).sorted().toList();
  }

  List<JsonNode> all(String kind) {
    return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  /** The one document of that kind; fails when there is none or several. */
  JsonNode one(String kind) {
    List<JsonNode> found = all(kind);
    if (found.size() != 1) {
      throw new AssertionError("Expected one " + kind + ", found " + found.size() + " among " + kinds());
    }
    return found.get(0);
  }

  JsonNode named(String kind, String name) {
    return all(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("No " + kind + " named " + name + " among " + kinds()));
  }

  JsonNode podSpec() {
    return one("Deployment").path("spec").path("template").path("spec");
  }

  JsonNode container(String name) {
    for (JsonNode c : podSpec().path("containers")) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    throw new AssertionError("No container " + name + " in the Deployment");
  }

  /** The container's env entries by name, in order. */
  static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      if (env.put(e.path("name").asText(), e) != null) {
        throw new AssertionError("Environment variable " + e.path("name").asText() + " is set twice");
      }
    }
    return env;
  }

  /** Plain {@code value}s of the container's env (entries with valueFrom are left out). */
  static Map<String, String> plainEnv(JsonNode container) {
    Map<String, String> values = new LinkedHashMap<>();
    env(container).forEach((name, e) -> {
      if (e.has("value")) {
        values.put(name, e.path("value").asText());
      }
    });
    return values;
  }

  /** A rendered Secret's decoded {@code data} (and {@code stringData}). */
  Map<String, String> secretData(String name) {
    JsonNode secret = named("Secret", name);
    Map<String, String> data = new LinkedHashMap<>();
    secret.path("data").fields().forEachRemaining(f ->
        data.put(f.getKey(), new String(Base64.getDecoder().decode(f.getValue().asText()), StandardCharsets.UTF_8)));
    secret.path("stringData").fields().forEachRemaining(f -> data.put(f.getKey(), f.getValue().asText()));
    return data;
  }

  static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
