package io.dbops.step;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A real git repository on disk holding a changelog, built with JGit:
 * <pre>
 *   main:    c1 (tag v1, annotated) - c2
 *   release: c1 - c3
 * </pre>
 * c1 creates table cloned_one; c2 adds cloned_two; c3 adds cloned_release.
 */
final class SourceRepository implements AutoCloseable {
  static final String CHANGELOG = "db/changelog.sql";

  final Path dir;
  final String c1;
  final String c2;
  final String c3;
  private final Git git;

  SourceRepository(Path dir) throws Exception {
    this.dir = dir;
    git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    c1 = commit(changelog("one"), "first table");
    git.tag().setName("v1").setAnnotated(true).setMessage("release 1").call();
    c2 = commit(changelog("one", "two"), "second table");
    git.branchCreate().setName("release").setStartPoint(c1).call();
    git.checkout().setName("release").call();
    c3 = commit(changelog("one", "release"), "release table");
    git.checkout().setName("main").call();
  }

  String fileUrl() {
    return dir.toUri().toString();
  }

  private static String changelog(String... tables) {
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n");
    for (String t : tables) {
      sb.append("\n--changeset git:").append(t).append("\nCREATE TABLE cloned_").append(t).append(" (id INT);\n");
    }
    return sb.toString();
  }

  private String commit(String changelog, String message) throws Exception {
    Path file = dir.resolve(CHANGELOG);
    Files.createDirectories(file.getParent());
    Files.writeString(file, changelog);
    git.add().addFilepattern(CHANGELOG).call();
    RevCommit commit = git.commit().setMessage(message).setAuthor("Test", "test@example.com")
        .setCommitter("Test", "test@example.com").setSign(false).call();
    return commit.name();
  }

  org.eclipse.jgit.lib.Repository repository() {
    return git.getRepository();
  }

  @Override
  public void close() {
    git.close();
  }
}
