package io.dbops.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container of a rendered Deployment, prepared to run as a local process the way a kubelet
 * would start it: every env entry resolved ({@code value}, {@code secretKeyRef} and
 * {@code configMapKeyRef} against the rendered objects or the test's {@link Cluster}, {@code fieldRef}
 * against the test's field values), every volume written to a directory under {@code root}, and
 * env values that name a path inside a mount rewritten to the local directory (the only change).
 * Anything it cannot resolve fails the test, naming it.
 */
final class LocalPod {
  /** What the cluster holds besides the rendered manifests: Secrets, ConfigMaps, downward API fields. */
  record Cluster(Map<String, Map<String, String>> secrets, Map<String, Map<String, String>> configMaps,
      Map<String, String> fields) {}

  private final JsonNode container;
  private final Map<String, Path> mounts;
  private final Map<String, String> env;
  private final Map<String, String> rewritten;

  private LocalPod(JsonNode container, Map<String, Path> mounts, Map<String, String> env,
      Map<String, String> rewritten) {
    this.container = container;
    this.mounts = mounts;
    this.env = env;
    this.rewritten = rewritten;
  }

  static LocalPod of(Manifests rendered, String containerName, Cluster cluster, Path root) throws IOException {
    JsonNode pod = rendered.podSpec();
    JsonNode container = rendered.container(containerName);
    Map<String, Map<String, String>> secrets = new LinkedHashMap<>(cluster.secrets());
    for (JsonNode s : rendered.all("Secret")) {
      String name = s.path("metadata").path("name").asText();
      if (secrets.put(name, rendered.secretData(name)) != null) {
        throw new AssertionError("Secret " + name + " is both rendered and given by the test");
      }
    }

    Map<String, Path> volumes = new LinkedHashMap<>();
    for (JsonNode v : pod.path("volumes")) {
      String name = v.path("name").asText();
      Path dir = Files.createDirectories(root.resolve("volumes").resolve(name));
      if (v.has("emptyDir")) {
        volumes.put(name, dir);
      } else if (v.has("secret")) {
        String secret = v.path("secret").path("secretName").asText();
        volumes.put(name, project(dir, lookup(secrets, "Secret", secret), v.path("secret").path("items")));
      } else if (v.has("configMap")) {
        String map = v.path("configMap").path("name").asText();
        volumes.put(name, project(dir, lookup(cluster.configMaps(), "ConfigMap", map), v.path("configMap").path("items")));
      } else {
        throw new AssertionError("LocalPod cannot provide volume " + v);
      }
    }
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.has("subPath")) {
        throw new AssertionError("LocalPod does not support subPath mounts: " + m);
      }
      Path dir = volumes.get(m.path("name").asText());
      if (dir == null) {
        throw new AssertionError("Mount of an undeclared volume: " + m);
      }
      mounts.put(m.path("mountPath").asText(), dir);
    }

    Map<String, String> env = new LinkedHashMap<>();
    Map<String, String> rewritten = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : Manifests.env(container).entrySet()) {
      String value = resolve(e.getKey(), e.getValue(), secrets, cluster);
      String local = localPath(value, mounts);
      if (!local.equals(value)) {
        rewritten.put(e.getKey(), value + " -> " + local);
      }
      env.put(e.getKey(), local);
    }
    return new LocalPod(container, Map.copyOf(mounts), env, rewritten);
  }

  /** The resolved environment, in the rendered order. */
  Map<String, String> env() {
    return new LinkedHashMap<>(env);
  }

  /** Env vars whose value named a path in a mount, as "pod path -> local path". */
  Map<String, String> rewritten() {
    return Map.copyOf(rewritten);
  }

  /** The local directory of a mount path. */
  Path mount(String mountPath) {
    Path dir = mounts.get(mountPath);
    if (dir == null) {
      throw new AssertionError("No mount at " + mountPath + " (mounts: " + mounts.keySet() + ")");
    }
    return dir;
  }

  /**
   * The container's command and args, with the image's launcher ({@code /opt/dbops/bin/dbops},
   * deploy/image/Dockerfile) replaced by the distribution's.
   */
  List<String> command(Path distribution) {
    List<String> command = new ArrayList<>(Manifests.texts(container.path("command")));
    if (command.isEmpty() || !command.get(0).equals("/opt/dbops/bin/dbops")) {
      throw new AssertionError("The container does not start the image's launcher: " + command);
    }
    command.set(0, distribution.resolve("bin/dbops").toString());
    command.addAll(Manifests.texts(container.path("args")));
    return command;
  }

  private static String resolve(String name, JsonNode entry, Map<String, Map<String, String>> secrets,
      Cluster cluster) {
    if (entry.has("value")) {
      String value = entry.path("value").asText();
      if (value.contains("$(")) {
        throw new AssertionError(name + " uses $(VAR) expansion, which LocalPod does not implement");
      }
      return value;
    }
    JsonNode from = entry.path("valueFrom");
    if (from.has("secretKeyRef")) {
      return key(lookup(secrets, "Secret", from.path("secretKeyRef").path("name").asText()),
          from.path("secretKeyRef").path("key").asText(), name);
    }
    if (from.has("configMapKeyRef")) {
      return key(lookup(cluster.configMaps(), "ConfigMap", from.path("configMapKeyRef").path("name").asText()),
          from.path("configMapKeyRef").path("key").asText(), name);
    }
    if (from.has("fieldRef")) {
      String field = from.path("fieldRef").path("fieldPath").asText();
      String value = cluster.fields().get(field);
      if (value == null) {
        throw new AssertionError(name + " reads field " + field + ", which the test did not give");
      }
      return value;
    }
    throw new AssertionError("LocalPod cannot resolve " + name + ": " + entry);
  }

  private static Map<String, String> lookup(Map<String, Map<String, String>> objects, String kind, String name) {
    Map<String, String> data = objects.get(name);
    if (data == null) {
      throw new AssertionError("The pod needs " + kind + " " + name + ", which is neither rendered nor given");
    }
    return data;
  }

  private static String key(Map<String, String> data, String key, String variable) {
    String value = data.get(key);
    if (value == null) {
      throw new AssertionError(variable + " needs key " + key + ", which is missing");
    }
    return value;
  }

  private static Path project(Path dir, Map<String, String> data, JsonNode items) throws IOException {
    if (items.isMissingNode() || items.isEmpty()) {
      for (Map.Entry<String, String> e : data.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
      }
      return dir;
    }
    for (JsonNode item : items) {
      String key = item.path("key").asText();
      Path file = dir.resolve(item.path("path").asText());
      Files.createDirectories(file.getParent());
      Files.writeString(file, key(data, key, "volume item " + item.path("path").asText()), StandardCharsets.UTF_8);
    }
    return dir;
  }

  private static String localPath(String value, Map<String, Path> mounts) {
    List<String> paths = mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    for (String mountPath : paths) {
      if (value.equals(mountPath)) {
        return mounts.get(mountPath).toString();
      }
      if (value.startsWith(mountPath + "/")) {
        return mounts.get(mountPath).resolve(value.substring(mountPath.length() + 1)).toString();
      }
    }
    return value;
  }
}
