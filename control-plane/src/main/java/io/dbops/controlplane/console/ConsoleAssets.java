package io.dbops.controlplane.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's static files, read once from the classpath ({@code io/dbops/controlplane/console/})
 * into memory. Only the names in {@link #NAMES} exist: a request for any other name (a path with
 * {@code ..}, a class file) finds nothing, so nothing else on the classpath can be served. Immutable
 * after construction; safe for any thread.
 */
final class ConsoleAssets {
  /** Every file the console serves; a new asset must be added here (default deny). */
  static final List<String> NAMES = List.of(
      "index.html", "console.css", "favicon.svg",
      "app.js", "api.js", "dom.js", "sql.js", "login.js",
      "executions.js", "execution.js", "logview.js", "approvals.js", "state.js", "delegates.js",
      "admin.js");

  /** One file: its bytes, content type and strong ETag (SHA-256 of the bytes). */
  record Asset(String name, byte[] bytes, String contentType, String etag) {}

  private final Map<String, Asset> assets;

  private ConsoleAssets(Map<String, Asset> assets) {
    this.assets = Map.copyOf(assets);
  }

  /** Reads every asset; a missing one is a packaging bug and fails the start. */
  static ConsoleAssets load() {
    Map<String, Asset> all = new LinkedHashMap<>();
    for (String name : NAMES) {
      String resource = "/io/dbops/controlplane/console/" + name;
      try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("Console asset " + resource + " is not on the classpath");
        }
        byte[] bytes = in.readAllBytes();
        all.put(name, new Asset(name, bytes, contentType(name), "\"" + sha256(bytes) + "\""));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read console asset " + resource, e);
      }
    }
    return new ConsoleAssets(all);
  }

  Optional<Asset> find(String name) {
    return Optional.ofNullable(assets.get(name));
  }

  static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      default -> throw new IllegalArgumentException("No content type for console asset " + name);
    };
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
