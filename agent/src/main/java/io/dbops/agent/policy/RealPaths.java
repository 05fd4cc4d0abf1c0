package io.dbops.agent.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Real paths for the allowlists' directory checks: symlinks resolved as far as the path exists. */
final class RealPaths {
  private RealPaths() {}

  /**
   * The real path of the longest existing part of {@code absolute} (symlinks resolved), with the
   * rest appended; {@code absolute} must be normalised. A dangling symlink counts as missing.
   */
  static Path ofExistingPart(Path absolute) {
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      if (Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
        // a dangling symlink: where it points is unknown, so it is nowhere allowed
        return Path.of("/dev/null/dangling-symlink");
      }
      existing = existing.getParent();
    }
    if (existing == null) {
      return absolute;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    } catch (IOException e) {
      return absolute;
    }
  }
}
