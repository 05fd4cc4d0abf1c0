package io.dbops.cli.step;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code dbops step}'s changelog is relative to its search path: the path Liquibase records
 * for each changeset. The search path is {@code --search-path}, else the working directory (as
 * Liquibase's own CLI); a changelog outside it has no relative path and is refused.
 */
final class SearchPaths {
  private SearchPaths() {}

  /**
   * The changelog's path relative to {@code base}; adds a problem (and returns the given path)
   * when it does not exist or lies outside {@code base}.
   *
   * @param base the absolute, normalised search path
   * @param explicit whether {@code --search-path} was given (for the message)
   */
  static Path relativeChangelog(Path base, Path changelog, boolean explicit, List<String> problems) {
    // Like Liquibase's CLI: a relative --changelog is relative to the search path, an absolute one must be in it.
    Path absolute = base.resolve(changelog).normalize();
    if (!Files.isRegularFile(absolute)) {
      problems.add("--changelog " + absolute + " does not exist");
      return changelog;
    }
    if (!absolute.startsWith(base)) {
      problems.add("--changelog " + absolute + " is not inside the search path " + base
          + (explicit ? "" : " (the working directory)") + ": Liquibase records each changeset's path relative to"
          + " the search path, so pass --search-path with the directory a pipeline would use (the pipeline file's"
          + " directory or its step's searchPath, usually the repository root), or run from there");
      return changelog;
    }
    return base.relativize(absolute);
  }
}
