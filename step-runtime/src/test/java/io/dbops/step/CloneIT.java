package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.GitSource;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.testsupport.TestDatabases;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLONE through the gRPC service: a real repository built with JGit, cloned over file:// (by
 * default branch, branch, tag, commit, shallow) and over real smart HTTP with Basic authentication
 * (JGit's GitServlet on Jetty); then the cloned changelog applied to PostgreSQL.
 */
class CloneIT {
  private static final String PASSWORD = "s3cret-Pa55-git";

  @TempDir Path tmp;
  private SourceRepository source;
  private StepHarness harness;
  private GitHttpServer http;
  private Path workspace;

  @BeforeEach
  void createRepository() throws Exception {
    source = new SourceRepository(tmp.resolve("source"));
    workspace = Files.createDirectories(tmp.resolve("workspace"));
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (http != null) {
      http.close();
    }
    source.close();
  }

  private StepHarness harness(Map<String, String> environment) throws Exception {
    harness = new StepHarness(environment);
    return harness;
  }

  private StepRequest.Builder clone(String url, String ref, String directory) {
    return StepRequest.newBuilder().setStepId("exec-1/stage/" + UUID.randomUUID()).setKind(StepKind.STEP_KIND_CLONE)
        .setSearchPath(workspace.toString())
        .setGit(GitSource.newBuilder().setUrl(url).setRef(ref).setDirectory(directory));
  }

  private static StepHarness.Run succeeded(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  private static StepHarness.Run failed(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.logText()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    return run;
  }

  private String changelogIn(String directory) throws Exception {
    return Files.readString(workspace.resolve(directory).resolve(SourceRepository.CHANGELOG));
  }

  @Test
  void clonesTheDefaultBranchIntoTheWorkspaceAndReportsTheCommit() throws Exception {
    StepHarness.Run run = succeeded(harness(Map.of()).execute(clone(source.fileUrl(), "", "repo").build()));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c2)
        .containsEntry("directory", workspace.resolve("repo").toString())
        .containsEntry("ref", "refs/heads/main").containsEntry("refType", "branch");
    assertThat(changelogIn("repo")).contains("cloned_two");
    try (Git cloned = Git.open(workspace.resolve("repo").toFile())) {
      assertThat(cloned.getRepository().getFullBranch()).isEqualTo("refs/heads/main");
    }
    assertThat(run.logText()).contains("Cloned commit " + source.c2 + " (branch refs/heads/main)");
  }

  @Test
  void clonesABranchByName() throws Exception {
    StepHarness.Run run = succeeded(harness(Map.of()).execute(clone(source.fileUrl(), "release", "repo").build()));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c3).containsEntry("refType", "branch");
    assertThat(changelogIn("repo")).contains("cloned_release").doesNotContain("cloned_two");
  }

  @Test
  void clonesAnAnnotatedTagAsADetachedCheckoutOfItsCommit() throws Exception {
    StepHarness.Run run = succeeded(harness(Map.of()).execute(clone(source.fileUrl(), "v1", "repo").build()));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c1).containsEntry("refType", "tag")
        .containsEntry("ref", "refs/tags/v1");
    assertThat(changelogIn("repo")).contains("cloned_one").doesNotContain("cloned_two", "cloned_release");
    try (Git cloned = Git.open(workspace.resolve("repo").toFile())) {
      assertThat(cloned.getRepository().getFullBranch()).isEqualTo(source.c1); // detached HEAD
      assertThat(cloned.status().call().isClean()).isTrue();
    }
  }

  @Test
  void clonesACommitByAbbreviatedOrFullId() throws Exception {
    harness(Map.of());
    StepHarness.Run abbreviated = succeeded(harness.execute(clone(source.fileUrl(), source.c1.substring(0, 10), "a")
        .build()));
    StepHarness.Run full = succeeded(harness.execute(clone(source.fileUrl(), source.c3, "b").build()));

    assertThat(abbreviated.result().getOutputsMap()).containsEntry("commit", source.c1).containsEntry("refType", "commit");
    assertThat(changelogIn("a")).doesNotContain("cloned_two");
    assertThat(full.result().getOutputsMap()).containsEntry("commit", source.c3);
    assertThat(changelogIn("b")).contains("cloned_release");
  }

  @Test
  void shallowCloneFetchesOnlyTheLastCommits() throws Exception {
    StepHarness.Run run = succeeded(harness(Map.of()).execute(clone(source.fileUrl(), "main", "repo")
        .setGit(GitSource.newBuilder().setUrl(source.fileUrl()).setRef("main").setDirectory("repo").setDepth(1))
        .build()));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c2);
    try (Git cloned = Git.open(workspace.resolve("repo").toFile())) {
      assertThat(cloned.log().call()).hasSize(1);
    }
    assertThat(workspace.resolve("repo/.git/shallow")).exists();
  }

  @Test
  void theClonedChangelogAppliesToPostgres() throws Exception {
    harness(Map.of());
    succeeded(harness.execute(clone(source.fileUrl(), "v1", "changelogs").build()));
    try (TargetDb db = TargetDb.server(TestDatabases.Kind.POSTGRES)) {
      StepRequest apply = StepHarness.request(StepKind.STEP_KIND_APPLY, SourceRepository.CHANGELOG, db.jdbcUrl(),
          db.username()).setSearchPath(workspace.resolve("changelogs").toString()).build();

      StepHarness.Run run = succeeded(harness.execute(apply));

      assertThat(run.result().getOutputsMap()).containsEntry("changesetsApplied", "1");
      assertThat(db.tableExists("cloned_one")).isTrue();
      assertThat(db.tableExists("cloned_two")).isFalse();
      assertThat(db.queryLong("SELECT COUNT(*) FROM databasechangelog WHERE filename = 'db/changelog.sql'")).isEqualTo(1);
    }
  }

  @Test
  void aMissingRepositoryFailsNamingItAndLeavesNothingBehind() throws Exception {
    String missing = tmp.resolve("no-such-repo").toUri().toString();

    StepHarness.Run run = failed(harness(Map.of()).execute(clone(missing, "", "repo").build()));

    assertThat(run.result().getError()).startsWith("Repository " + missing + " not found").contains("Check the URL");
    assertThat(workspace.resolve("repo")).doesNotExist();
  }

  @Test
  void anUnknownRefFailsListingTheBranchesAndTags() throws Exception {
    StepHarness.Run run = failed(harness(Map.of()).execute(clone(source.fileUrl(), "nope", "repo").build()));

    assertThat(run.result().getError()).isEqualTo("Ref 'nope' not found in " + source.fileUrl()
        + ": it is no branch or tag there. Known: branches main, release; tags v1.");
    assertThat(workspace.resolve("repo")).doesNotExist();
  }

  @Test
  void anUnknownCommitIdFailsAndTheEmptyTargetStaysEmpty() throws Exception {
    Files.createDirectories(workspace.resolve("repo"));

    StepHarness.Run run = failed(harness(Map.of()).execute(clone(source.fileUrl(), "deadbeefdeadbeef", "repo").build()));

    assertThat(run.result().getError()).startsWith("Ref 'deadbeefdeadbeef' not found in " + source.fileUrl()
        + ": it is no branch or tag there and no commit reachable from them.");
    assertThat(workspace.resolve("repo")).isEmptyDirectory();
  }

  @Test
  void aNonEmptyTargetDirectoryIsRefusedAndLeftAlone() throws Exception {
    Path target = Files.createDirectories(workspace.resolve("repo"));
    Files.writeString(target.resolve("keep.txt"), "mine");

    StepHarness.Run run = failed(harness(Map.of()).execute(clone(source.fileUrl(), "", "repo").build()));

    assertThat(run.result().getError()).isEqualTo("Target directory " + target + " is not empty (1 entry); clone"
        + " into a new or empty directory, or remove its content first.");
    assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("mine");
  }

  @Test
  void aUrlWithAPasswordIsRejectedWithoutEchoingIt() throws Exception {
    StepRequest request = clone("https://alice:" + PASSWORD + "@git.example.com/repo.git", "", "repo").build();

    harness(Map.of());
    assertThatThrownBy(() -> harness.execute(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).contains("git.url https://alice:**************@git.example.com/repo.git"
          + " contains a password").doesNotContain(PASSWORD);
    });
  }

  @Test
  void aNamedPasswordVariableThatIsUnsetFailsNamingIt() throws Exception {
    StepRequest request = clone(source.fileUrl(), "", "repo")
        .setGit(GitSource.newBuilder().setUrl(source.fileUrl()).setDirectory("repo").setPasswordEnv("REPO_TOKEN"))
        .build();

    StepHarness.Run run = failed(harness(Map.of()).execute(request));

    assertThat(run.result().getError()).startsWith("Environment variable REPO_TOKEN (the git password variable) is not"
        + " set in the step container");
  }

  // --- smart HTTP with Basic authentication ---

  private String httpRepo() throws Exception {
    http = new GitHttpServer(source.repository(), "alice", PASSWORD);
    return http.baseUrl() + "repo.git";
  }

  @Test
  void clonesOverHttpWithUserAndPasswordFromTheEnvironment() throws Exception {
    String url = httpRepo();
    harness(Map.of("DBOPS_GIT_USERNAME", "alice", "DBOPS_GIT_PASSWORD", PASSWORD));

    StepHarness.Run run = succeeded(harness.execute(clone(url, "main", "repo").build()));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c2);
    assertThat(run.logText()).contains("as user alice (password from DBOPS_GIT_PASSWORD)").doesNotContain(PASSWORD);
    assertThat(http.usersSeen).contains("alice");
  }

  @Test
  void aWrongPasswordFailsNamingUrlAndUserButNeverThePassword() throws Exception {
    String url = httpRepo();
    String wrong = "wrong-Pa55-git";
    harness(Map.of("DBOPS_GIT_USERNAME", "alice", "DBOPS_GIT_PASSWORD", wrong));

    StepHarness.Run run = failed(harness.execute(clone(url, "main", "repo").build()));

    assertThat(run.result().getError()).startsWith("Authentication failed for " + url + " as user alice (password from"
        + " DBOPS_GIT_PASSWORD): the server refused the credentials");
    assertThat(run.result().getError() + run.logText()).doesNotContain(wrong).doesNotContain(PASSWORD);
    assertThat(workspace.resolve("repo")).doesNotExist();
  }

  @Test
  void noCredentialsForAProtectedRepositoryAsksForThem() throws Exception {
    String url = httpRepo();

    StepHarness.Run run = failed(harness(Map.of()).execute(clone(url, "", "repo").build()));

    assertThat(run.result().getError()).startsWith("Authentication required by " + url
        + ": set the password or access token in DBOPS_GIT_PASSWORD");
  }

  @Test
  void aTokenAsPasswordWithoutUserNameAuthenticatesAsTheTokenUser() throws Exception {
    http = new GitHttpServer(source.repository(), "x-access-token", "tok_abcdef123456");
    String url = http.baseUrl() + "repo.git";
    harness(Map.of("REPO_TOKEN", "tok_abcdef123456"));
    StepRequest request = clone(url, "", "repo")
        .setGit(GitSource.newBuilder().setUrl(url).setDirectory("repo").setPasswordEnv("REPO_TOKEN")).build();

    StepHarness.Run run = succeeded(harness.execute(request));

    assertThat(run.result().getOutputsMap()).containsEntry("commit", source.c2);
    assertThat(run.logText()).doesNotContain("tok_abcdef123456");
  }

  @Test
  void theUserPartOfTheUrlIsMaskedInLogsAndErrors() throws Exception {
    String url = httpRepo().replace("http://", "http://ghp_tokenAsUser123@");
    harness(Map.of());

    StepHarness.Run run = failed(harness.execute(clone(url, "", "repo").build()));

    assertThat(run.logText() + run.result().getError()).contains("http://**************@127.0.0.1")
        .doesNotContain("ghp_tokenAsUser123");
  }

  @Test
  void aMissingRepositoryOverHttpFailsAsNotFound() throws Exception {
    String url = httpRepo().replace("repo.git", "other.git");
    harness(Map.of("DBOPS_GIT_USERNAME", "alice", "DBOPS_GIT_PASSWORD", PASSWORD));

    StepHarness.Run run = failed(harness.execute(clone(url, "", "repo").build()));

    assertThat(run.result().getError()).startsWith("Repository " + url + " not found or not visible to user alice");
  }

}
