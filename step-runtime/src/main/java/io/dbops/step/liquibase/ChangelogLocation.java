package io.dbops.step.liquibase;

import io.dbops.step.liquibase.LiquibaseStepRunner.StepFailure;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a step's changelog is: the directory Liquibase resolves against, and the changelog path
 * relative to it ({@code ""} for a HISTORY step without a changelog).
 */
record ChangelogLocation(Path root, String file) {

  /**
   * The step's changelog, checked to exist; HISTORY reads only DATABASECHANGELOG, so it may run
   * without a changelog (in the search path, else the working directory).
   *
   * @throws StepFailure naming the search path or changelog that is wrong
   */
  static ChangelogLocation of(StepCommand command) throws StepFailure {
    return command.changelog().isEmpty() && command.kind() == StepCommand.Kind.HISTORY
        ? new ChangelogLocation(workingRoot(command), "") : locate(command);
  }

  /** The search path if it is a directory, else the working directory. */
  private static Path workingRoot(StepCommand command) {
    Path searchPath = command.searchPath().isEmpty() ? null : Path.of(command.searchPath()).toAbsolutePath();
    return searchPath != null && Files.isDirectory(searchPath) ? searchPath : Path.of("").toAbsolutePath();
  }

  private static ChangelogLocation locate(StepCommand command) throws StepFailure {
    try {
      Path root;
      Path relative;
      if (command.searchPath().isEmpty()) {
        Path changelog = Path.of(command.changelog()).toAbsolutePath().normalize();
        root = changelog.getParent();
        relative = changelog.getFileName();
      } else {
        root = Path.of(command.searchPath()).toAbsolutePath().normalize();
        relative = Path.of(command.changelog()).normalize();
        if (relative.isAbsolute()) {
          relative = root.relativize(relative);
        }
      }
      if (root == null || !Files.isDirectory(root)) {
        throw new StepFailure("Changelog search path " + root + " is not a directory. Check search_path"
            + " and that the changelog was checked out into the workspace.");
      }
      Path file = root.resolve(relative);
      if (!Files.isRegularFile(file)) {
        throw new StepFailure("Changelog file " + file + " does not exist (changelog '" + command.changelog()
            + "', search path " + root + "). Check the changelog path.");
      }
      return new ChangelogLocation(root, relative.toString().replace('\\', '/'));
    } catch (InvalidPathException e) {
      throw new StepFailure("Changelog path '" + command.changelog() + "' is not a valid path: " + e.getMessage());
    }
  }
}
