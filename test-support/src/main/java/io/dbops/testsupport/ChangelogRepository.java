package io.dbops.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;

/**
 * A local git repository holding {@code changelog.yaml} with one changeset ({@code create-orders},
 * a table {@code orders}) on branch {@code main}: what a clone step fetches in the stage tests.
 * Needs JGit on the test class path (test-support's dependency on it is optional).
 */
public final class ChangelogRepository {
  private ChangelogRepository() {}

  /** Creates the repository in {@code dir} (created if needed) and returns it. */
  public static Path create(Path dir) throws Exception {
    Path repo = Files.createDirectories(dir);
    writeChangelog(repo);
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      git.commit().setMessage("changelog").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
          .setSign(false).call();
    }
    return repo;
  }

  /** Writes the changelog alone ({@code dir/changelog.yaml}, no git); needs no JGit. */
  public static Path writeChangelog(Path dir) throws java.io.IOException {
    return Files.writeString(dir.resolve("changelog.yaml"), String.join("\n",
        "databaseChangeLog:",
        "  - changeSet:",
        "      id: create-orders",
        "      author: test",
        "      changes:",
        "        - createTable:",
        "            tableName: orders",
        "            columns:",
        "              - column: {name: id, type: int}",
        ""));
  }
}
