package io.dbops.step.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChangesetIdentityTest {
  @Test
  void suggestsTheSearchPathUnderWhichTheFileHasTheRecordedPath() {
    Path repo = Path.of("/work/repo").toAbsolutePath();
    assertThat(ChangesetIdentity.searchPathFor(repo.resolve("db"), "changelog.xml", "db/changelog.xml"))
        .isEqualTo(repo);
    assertThat(ChangesetIdentity.searchPathFor(repo, "db/changelog.xml", "changelog.xml"))
        .isEqualTo(repo.resolve("db"));
    assertThat(ChangesetIdentity.searchPathFor(repo, "db/changelog.xml", "classpath:/db/changelog.xml"))
        .isEqualTo(repo);
    assertThat(ChangesetIdentity.searchPathFor(repo, "db/changelog.xml", "other/changelog.xml")).isNull();
    assertThat(ChangesetIdentity.searchPathFor(repo, "db/changelog.xml", "/abs/db/changelog.xml")).isNull();
  }

  @Test
  void onlyTheSameFileFromAnotherRootIsAMismatch() {
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("changelog.xml", "db/changelog.xml")).isTrue();
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("db/changelog.xml", "changelog.xml")).isTrue();
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("db/changelog.xml", "/home/ci/repo/db/changelog.xml")).isTrue();
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("db/changelog.xml", "classpath:db/changelog.xml")).isFalse();
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("more.sql", "one.sql")).isFalse();
    assertThat(ChangesetIdentity.sameFileFromAnotherRoot("a/changelog.xml", "b/changelog.xml")).isFalse();
  }
}
