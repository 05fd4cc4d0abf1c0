package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the declarative document and single objects into records, listing every problem at once:
 * an unknown field anywhere (with the fields allowed there), a value of the wrong shape or type. A
 * record's fields are its components (a component annotated {@link JsonProperty} is known by that
 * name). Pure; thread-safe.
 */
final class DocumentReader {
  private DocumentReader() {}

  /** What was read, and every problem found (each starting with its path). */
  record Read<T>(T value, List<String> problems) {}

  /** The whole document: each element is read on its own, so one bad object hides no other. */
  static Read<CatalogDocument> document(JsonNode root) {
    List<String> problems = new ArrayList<>();
    if (root == null || root.isNull() || root.isMissingNode()) {
      problems.add("the document is empty; it needs apiVersion: " + CatalogDocument.API_VERSION
          + " and at least one of environments, targets, pipelines");
      return new Read<>(null, problems);
    }
    if (!root.isObject()) {
      problems.add("the document must be a mapping with apiVersion, environments, targets and"
          + " pipelines");
      return new Read<>(null, problems);
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (component(CatalogDocument.class, field) == null) {
        problems.add(field + " is not a known field; the document may have "
            + fields(CatalogDocument.class));
      }
    }
    JsonNode version = root.get("apiVersion");
    if (version == null || version.isNull()) {
      problems.add("apiVersion is required: apiVersion: " + CatalogDocument.API_VERSION);
    } else if (!CatalogDocument.API_VERSION.equals(version.asText())) {
      problems.add("apiVersion '" + version.asText() + "' is not known; this server reads "
          + CatalogDocument.API_VERSION);
    }
    List<Environment> environments = list(root, "environments", Environment.class, problems);
    List<Target> targets = list(root, "targets", Target.class, problems);
    List<StoredPipeline> pipelines = list(root, "pipelines", StoredPipeline.class, problems);
    if (environments.isEmpty() && targets.isEmpty() && pipelines.isEmpty() && problems.isEmpty()) {
      problems.add("the document lists no environments, targets or pipelines");
    }
    return new Read<>(new CatalogDocument(version == null ? null : version.asText(), environments,
        targets, pipelines), problems);
  }

  /** One object of {@code type} (a PUT body); {@code path} prefixes its problems. */
  static <T> Read<T> object(JsonNode node, Class<T> type, String path) {
    List<String> problems = new ArrayList<>();
    if (node == null || !node.isObject()) {
      problems.add((path.isEmpty() ? "the body" : path) + " must be a JSON object");
      return new Read<>(null, problems);
    }
    int before = problems.size();
    checkShape(node, type, path, problems);
    T value = problems.size() > before ? null : convert(node, type, path, problems);
    return new Read<>(value, problems);
  }

  private static <T> List<T> list(JsonNode root, String field, Class<T> type, List<String> problems) {
    JsonNode node = root.get(field);
    List<T> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      problems.add(field + " must be a list");
      return values;
    }
    for (int i = 0; i < node.size(); i++) {
      String where = field + "[" + i + "]";
      JsonNode element = node.get(i);
      if (element == null || element.isNull()) {
        problems.add(where + " is empty");
        values.add(null);
        continue;
      }
      int before = problems.size();
      checkShape(element, type, where, problems);
      values.add(problems.size() == before ? convert(element, type, where, problems) : null);
    }
    return values;
  }

  private static <T> T convert(JsonNode node, Class<T> type, String path, List<String> problems) {
    try {
      return Json.mapper().treeToValue(node, type);
    } catch (JsonMappingException e) {
      problems.add(path(path, e.getPath()) + " " + e.getOriginalMessage().split("\n")[0]);
      return null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      problems.add(path + " cannot be read: " + e.getMessage());
      return null;
    }
  }

  private static String path(String base, List<JsonMappingException.Reference> refs) {
    StringBuilder b = new StringBuilder(base);
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /** Unknown fields and wrong shapes (object, list, map) below {@code node}, recursively. */
  static void checkShape(JsonNode node, Type type, String path, List<String> problems) {
    if (node == null || node.isNull()) {
      return;
    }
    Class<?> raw = raw(type);
    String where = path.isEmpty() ? "the document" : path;
    if (raw.isRecord()) {
      if (!node.isObject()) {
        problems.add(where + " must be a mapping (fields " + fields(raw) + ")");
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        RecordComponent component = component(raw, field.getKey());
        if (component == null) {
          problems.add(child + " is not a known field; " + where + " may have " + fields(raw));
        } else {
          checkShape(field.getValue(), component.getGenericType(), child, problems);
        }
      }
    } else if (List.class.isAssignableFrom(raw)) {
      if (!node.isArray()) {
        problems.add(where + " must be a list");
        return;
      }
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      for (int i = 0; i < node.size(); i++) {
        if (node.get(i).isNull()) {
          problems.add(path + "[" + i + "] is empty");
        }
        checkShape(node.get(i), element, path + "[" + i + "]", problems);
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      if (!node.isObject()) {
        problems.add(where + " must be a mapping of names to values");
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isNull()) {
          problems.add(path + "." + field.getKey() + " has no value");
        } else if (field.getValue().isContainerNode()) {
          problems.add(path + "." + field.getKey() + " must be a single value, not a "
              + (field.getValue().isArray() ? "list" : "mapping"));
        }
      }
    } else if (node.isContainerNode()) {
      problems.add(where + " must be a single value, not a " + (node.isArray() ? "list" : "mapping"));
    }
  }

  private static RecordComponent component(Class<?> record, String name) {
    for (RecordComponent c : record.getRecordComponents()) {
      if (jsonName(c).equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static String jsonName(RecordComponent c) {
    JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
    return p != null && !p.value().isEmpty() ? p.value() : c.getName();
  }

  private static String fields(Class<?> record) {
    TreeSet<String> names = new TreeSet<>();
    for (RecordComponent c : record.getRecordComponents()) {
      names.add(jsonName(c));
    }
    return names.toString();
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }
}
