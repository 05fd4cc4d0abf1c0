package io.dbops.controlplane.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin: on a start with no API token at all, creates an admin token named
 * {@value #NAME} and writes its value to {@code DATA_DIR/admin.token} (file 0600, directory 0700
 * where the file system has POSIX modes). The log names the file, never the value. Later starts
 * create nothing; {@link #adminToken} reads the file while it exists.
 */
public final class AdminBootstrap {
  private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
  public static final String FILE = "admin.token";
  static final String NAME = "bootstrap-admin";

  private final ApiTokens tokens;
  private final Path dataDir;

  public AdminBootstrap(ApiTokens tokens, Path dataDir) {
    this.tokens = tokens;
    this.dataDir = dataDir;
  }

  /** Creates the first admin token when there is none; returns true when it did. */
  public boolean run() {
    if (!tokens.none()) {
      return false;
    }
    ApiTokens.Created created = tokens.create(new ApiTokens.Request(NAME, "user",
        List.of(Role.ADMIN.id()), List.of(), List.of(), null));
    Path file = file();
    try {
      createPrivateDirectory(dataDir);
      Files.deleteIfExists(file);
      writePrivate(file, created.value() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the bootstrap admin token to " + file
          + " (DBOPS_DATA_DIR must be writable): " + e.getMessage(), e);
    }
    log.info("Created the first admin API token {} ({}); its value is in {} (mode 0600). Use it"
        + " to create personal tokens (POST /api/v1/access/tokens), then delete the file",
        created.token().name(), created.token().id(), file.toAbsolutePath());
    return true;
  }

  /** The value in {@code admin.token}, or null when the file does not exist. */
  public String adminToken() {
    Path file = file();
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private Path file() {
    return dataDir.resolve(FILE);
  }

  private static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      if (posix(dir)) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      return;
    }
    if (posix(dir.toAbsolutePath().getParent() == null ? dir : dir.toAbsolutePath().getParent())) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  private static void writePrivate(Path file, String content) throws IOException {
    if (posix(file.toAbsolutePath().getParent())) {
      Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-------");
      FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(mode);
      Files.createFile(file, attr);
      Files.setPosixFilePermissions(file, mode); // the umask may have narrowed it further
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
