package io.dbops.controlplane.store;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the control plane's data directory private (issue 13: the H2 file, which holds the
 * log-token key, was world-readable): the directory and its sub-directories are 0700, every file
 * in it 0600, whatever the process umask (modes are set explicitly, not left to file creation).
 * Symbolic links are not followed. On a file system without POSIX permissions it does nothing.
 * Stateless.
 */
public final class DataDirectory {
  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private DataDirectory() {}

  /** Creates {@code dir} (0700) when missing, with its parents (left to the umask). */
  public static void create(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        if (posix()) {
          Files.setPosixFilePermissions(dir, DIRECTORY);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create the data directory " + dir
          + " (DBOPS_DATA_DIR): " + e.getMessage(), e);
    }
  }

  /**
   * Tightens {@code dir} and everything in it. With {@code warn}, each entry found looser is
   * logged at WARN (an install made before this rule, or a file someone loosened); without it,
   * quietly (files the server itself just created, for example H2's on open).
   *
   * @return the entries that were looser than allowed
   */
  public static List<Path> secure(Path dir, boolean warn) {
    List<Path> fixed = new ArrayList<>();
    if (dir == null || !posix() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return fixed;
    }
    try (Stream<Path> entries = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> wanted = directory ? DIRECTORY : FILE;
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        if (!wanted.containsAll(actual) || (directory && !actual.containsAll(DIRECTORY))) {
          Files.setPosixFilePermissions(p, wanted);
          fixed.add(p);
          if (warn) {
            log.warn("{} was mode {}, readable by other local users; set it to {} (the data"
                + " directory holds the log-token key and the database)", p,
                PosixFilePermissions.toString(actual), PosixFilePermissions.toString(wanted));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot set the modes of the data directory " + dir
          + " (DBOPS_DATA_DIR) to 0700 and its files to 0600: " + e.getMessage(), e);
    }
    return fixed;
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
