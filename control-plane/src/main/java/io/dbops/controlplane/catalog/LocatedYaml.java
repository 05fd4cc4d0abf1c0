package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A YAML (or JSON) document read into a tree that remembers where each value was written: path
 * ({@code targets[2].environment}) to line and column. Duplicate keys are problems, not silently
 * the last one. Pure; thread-safe.
 */
final class LocatedYaml {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern PATH = Pattern.compile("^[A-Za-z][A-Za-z0-9]*(\\[\\d+])?"
      + "(\\.[A-Za-z][A-Za-z0-9]*(\\[\\d+])?)*");

  /** Where a value starts, 1-based. */
  record Mark(int line, int column) {
    @Override
    public String toString() {
      return "line " + line + ", column " + column;
    }
  }

  private final JsonNode root;
  private final Map<String, Mark> marks;

  private LocatedYaml(JsonNode root, Map<String, Mark> marks) {
    this.root = root;
    this.marks = marks;
  }

  /** A tree without locations (a JSON body already parsed, for example). */
  static LocatedYaml of(JsonNode root) {
    return new LocatedYaml(root, Map.of());
  }

  /**
   * Parses {@code text}; syntax errors and duplicate keys go to {@code problems} (the tree is then
   * null on a syntax error).
   */
  static LocatedYaml parse(String text, List<String> problems) {
    Map<String, Mark> marks = new HashMap<>();
    try (JsonParser p = YAML.createParser(text)) {
      if (p.nextToken() == null) {
        return new LocatedYaml(null, marks);
      }
      JsonNode root = read(p, "", marks, problems);
      if (p.nextToken() != null) {
        problems.add(mark(p.currentTokenLocation()) + ": the file holds a second YAML document;"
            + " put every object in one document (one list per kind)");
      }
      return new LocatedYaml(root, marks);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problems.add((at == null ? "" : mark(at) + ": ") + "not valid YAML: " + e.getOriginalMessage());
      return new LocatedYaml(null, marks);
    } catch (IOException e) {
      problems.add("cannot read the document: " + e.getMessage());
      return new LocatedYaml(null, marks);
    }
  }

  JsonNode root() {
    return root;
  }

  /**
   * The problem with the location of the path it starts with ({@code targets[2].environment ...}),
   * or of the nearest enclosing value that has one; unchanged when none is known.
   */
  String locate(String problem) {
    Matcher m = PATH.matcher(problem);
    if (!m.find() || marks.isEmpty()) {
      return problem;
    }
    String path = m.group();
    while (!path.isEmpty()) {
      Mark mark = marks.get(path);
      if (mark != null) {
        return mark + ": " + problem;
      }
      int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut < 0 ? "" : path.substring(0, cut);
    }
    return problem;
  }

  private static JsonNode read(JsonParser p, String path, Map<String, Mark> marks,
      List<String> problems) throws IOException {
    marks.putIfAbsent(path, mark(p.currentTokenLocation()));
    JsonToken token = p.currentToken();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = path.isEmpty() ? name : path + "." + name;
          Mark at = mark(p.currentTokenLocation());
          p.nextToken();
          if (object.has(name)) {
            problems.add(at + ": " + child + " is written twice; keep one");
          }
          marks.put(child, at);
          object.set(name, read(p, child, marks, problems));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(p, path + "[" + i++ + "]", marks, problems));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return NODES.numberNode(p.getBigIntegerValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return NODES.booleanNode(token == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> {
        return NODES.textNode(p.getText());
      }
    }
  }

  private static Mark mark(JsonLocation at) {
    return new Mark(at.getLineNr(), at.getColumnNr());
  }
}
