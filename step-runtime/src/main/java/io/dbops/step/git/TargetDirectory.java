package io.dbops.step.git;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The directory a clone writes into: new, or existing and empty. {@link #discard()} removes what
 * the clone wrote after a failure (the directory too, when this class created it), so a retry finds
 * it empty again. One per clone; not thread-safe.
 */
final class TargetDirectory {
  private final Path path;
  private final boolean created;

  private TargetDirectory(Path path, boolean created) {
    this.path = path;
    this.created = created;
  }

  /** Checks that {@code path} is a new or empty directory and creates it if needed. */
  static TargetDirectory prepare(Path path) throws CloneFailure {
    if (Files.exists(path)) {
      if (!Files.isDirectory(path)) {
        throw new CloneFailure("Target " + path + " exists and is not a directory; clone into a new or empty"
            + " directory.");
      }
      try (Stream<Path> entries = Files.list(path)) {
        long count = entries.count();
        if (count > 0) {
          throw new CloneFailure("Target directory " + path + " is not empty (" + count + " entr"
              + (count == 1 ? "y" : "ies") + "); clone into a new or empty directory, or remove its content first.");
        }
      } catch (IOException e) {
        throw new CloneFailure("Cannot read target directory " + path + ": " + e.getMessage(), e);
      }
      return new TargetDirectory(path, false);
    }
    try {
      Files.createDirectories(path);
    } catch (IOException e) {
      throw new CloneFailure("Cannot create target directory " + path + ": " + e.getClass().getSimpleName()
          + " " + e.getMessage() + ". Check that the workspace is writable.", e);
    }
    return new TargetDirectory(path, true);
  }

  Path path() {
    return path;
  }

  /** Deletes everything the clone wrote; best effort (a failure to delete is returned, not thrown). */
  String discard() {
    if (!Files.exists(path)) {
      return "";
    }
    try {
      Files.walkFileTree(path, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
          if (failure != null) {
            throw failure;
          }
          if (created || !dir.equals(path)) {
            Files.delete(dir);
          }
          return FileVisitResult.CONTINUE;
        }
      });
      return "";
    } catch (IOException e) {
      return " (the partial clone in " + path + " could not be removed: " + e.getMessage() + ")";
    }
  }
}
