package io.dbops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbops.config.ConfigException;
import io.dbops.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The file {@code dbops login} writes: one API token per control plane URL, and the URL last logged
 * in to (used when neither {@code --server} nor {@code DBOPS_SERVER_URL} is given). It lives at
 * {@code $XDG_CONFIG_HOME/dbops/credentials}, else {@code ~/.config/dbops/credentials}; the file is
 * 0600 and its directory 0700, written atomically. Not thread-safe (one CLI command at a time).
 *
 * <p>Format (JSON): {@code {"current": URL, "tokens": {URL: TOKEN, ...}}}.
 */
public final class CredentialsFile {
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private final Path file;

  public CredentialsFile(Path file) {
    this.file = file;
  }

  /** The file of this user, from {@code env}. */
  public static CredentialsFile of(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg)
        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
    return new CredentialsFile(dir.resolve("dbops").resolve("credentials"));
  }

  public Path path() {
    return file;
  }

  /** The control plane last logged in to. */
  public Optional<String> current() {
    return Optional.ofNullable(read().path("current").textValue());
  }

  /** The token stored for {@code serverUrl} (compared without a trailing slash). */
  public Optional<String> token(String serverUrl) {
    return Optional.ofNullable(read().path("tokens").path(normalise(serverUrl)).textValue());
  }

  /** Stores {@code token} for {@code serverUrl} and makes it the current server. */
  public void store(String serverUrl, String token) {
    ObjectNode root = read().deepCopy();
    root.put("current", normalise(serverUrl));
    root.with("tokens").put(normalise(serverUrl), token);
    write(root);
  }

  /** Forgets the token of {@code serverUrl}; true when there was one. */
  public boolean remove(String serverUrl) {
    ObjectNode root = read().deepCopy();
    boolean had = root.with("tokens").remove(normalise(serverUrl)) != null;
    if (normalise(serverUrl).equals(root.path("current").textValue())) {
      root.remove("current");
    }
    write(root);
    return had;
  }

  static String normalise(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private ObjectNode read() {
    if (!Files.exists(file)) {
      return Json.mapper().createObjectNode();
    }
    try {
      JsonNode node = Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (node instanceof ObjectNode object) {
        return object;
      }
    } catch (IOException e) {
      throw new ConfigException("CLI", "Cannot read the credentials file " + file + " (" + e.getClass().getSimpleName()
          + "); delete it and run `dbops login` again");
    }
    throw new ConfigException("CLI", "The credentials file " + file
        + " is not a JSON object; delete it and run `dbops login` again");
  }

  private void write(ObjectNode root) {
    try {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException raced) {
          // created meanwhile: fine
        }
      }
      Path temp = Files.createTempFile(dir, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
      try {
        Files.writeString(temp, Json.write(root) + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
      Files.setPosixFilePermissions(file, FILE_MODE);
    } catch (IOException e) {
      throw new ConfigException("CLI", "Cannot write the credentials file " + file + ": " + e.getMessage());
    }
  }
}
