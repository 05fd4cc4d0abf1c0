package io.dbops.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import io.dbops.protocol.ExecuteStepPayload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The step-files rule: a step's changelog, search path, policy file and clone target on the local runtime. */
class StepFileRuleTest {
  @TempDir Path dir;

  private DelegatePolicy policy(Map<String, String> settings) {
    return new DelegatePolicy(Allowlists.of(settings), dir.resolve("state"));
  }

  private DelegatePolicy allowing(Path... dirs) {
    return policy(Map.of("DBOPS_ALLOW_CHANGELOG_DIRS",
        String.join(",", java.util.Arrays.stream(dirs).map(Path::toString).toList()),
        "DBOPS_ALLOW_GIT_URLS", "file:///srv/git/**"));
  }

  private static ExecuteStepPayload.StepSpec step(String changelog, String searchPath, String policyFile) {
    return new ExecuteStepPayload.StepSpec("apply", changelog, searchPath, "jdbc:h2:mem:x", null, null, null, null,
        null, 0, Map.of(), null, false, false, policyFile);
  }

  private static ExecuteStepPayload.StepSpec clone(String into, String searchPath) {
    return new ExecuteStepPayload.StepSpec("clone", null, searchPath, null, null, null, null, null, null, 0, Map.of(),
        null, false, false, null, false, new ExecuteStepPayload.GitSpec("file:///srv/git/db.git", "main", into, 1,
            null, null));
  }

  @Test
  void withoutTheSettingNoStepFileIsAllowed() {
    assertThatThrownBy(() -> policy(Map.of()).checkStep(step("/etc/passwd", null, null)))
        .isInstanceOf(PolicyRefusal.class)
        .hasMessage("Step changelog /etc/passwd is not allowed (rule: step files; to allow it add the directory"
            + " holding it to DBOPS_ALLOW_CHANGELOG_DIRS (comma list of absolute directories; unset: none) on the"
            + " delegate)");
  }

  @Test
  void changelogsSearchPathsAndPolicyFilesOnlyInsideAllowedDirectories() throws Exception {
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    DelegatePolicy p = allowing(pipelines);

    assertThatCode(() -> p.checkStep(step("db/changelog.xml", pipelines.toString(), "rules.yaml")))
        .doesNotThrowAnyException();
    assertThatCode(() -> p.checkStep(step(pipelines.resolve("changelog.xml").toString(), null, "rules.yaml")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(step("/etc/passwd", pipelines.toString(), null)))
        .hasMessageStartingWith("Step changelog /etc/passwd is not allowed (rule: step files; to allow it add")
        .hasMessageContaining("DBOPS_ALLOW_CHANGELOG_DIRS");
    assertThatThrownBy(() -> p.checkStep(step("../../../../etc/passwd", pipelines.toString(), null)))
        .hasMessageContaining("Step changelog ../../../../etc/passwd (it resolves to /etc/passwd) is not allowed");
    assertThatThrownBy(() -> p.checkStep(step("changelog.xml", "/etc", null)))
        .hasMessageStartingWith("Step searchPath /etc is not allowed");
    assertThatThrownBy(() -> p.checkStep(step("changelog.xml", pipelines.toString(), "/etc/shadow")))
        .hasMessageStartingWith("Step policyFile /etc/shadow is not allowed");
    assertThatThrownBy(() -> p.checkStep(step("changelog.xml", null, null)))
        .hasMessageContaining("is relative and the step has no searchPath");
  }

  @Test
  void theDelegatesStateDirectoryAndProcAreNeverAllowedEvenInsideAnAllowedDirectory() throws Exception {
    Files.createDirectories(dir.resolve("state/keys"));
    DelegatePolicy everything = allowing(dir, Path.of("/"));

    assertThatThrownBy(() -> everything.checkStep(step(dir.resolve("state/keys/delegate.key").toString(), null, null)))
        .hasMessage("Step changelog " + dir.resolve("state/keys/delegate.key") + " is never allowed (rule: step files;"
            + " the delegate's state directory holds its keys, spool and records)");
    assertThatThrownBy(() -> everything.checkStep(step("/proc/self/environ", null, null)))
        .hasMessageContaining("is never allowed (rule: step files; /proc, /sys and /dev");
    assertThatCode(() -> everything.checkStep(step("/etc/passwd", null, null))).doesNotThrowAnyException();
  }

  @Test
  void aSymlinkOutOfAnAllowedDirectoryIsRefusedByItsRealPath() throws Exception {
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    Files.createSymbolicLink(pipelines.resolve("passwd.xml"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(pipelines.resolve("state"), dir.resolve("state"));
    Files.createDirectories(dir.resolve("state"));

    assertThatThrownBy(() -> allowing(pipelines).checkStep(step("passwd.xml", pipelines.toString(), null)))
        .hasMessageContaining("Step changelog passwd.xml (it resolves to /etc/passwd) is not allowed");
    assertThatThrownBy(() -> allowing(pipelines).checkStep(step("state/outbox", pipelines.toString(), null)))
        .hasMessageContaining("is never allowed (rule: step files; the delegate's state directory");
  }

  @Test
  void aCloneTargetIsCheckedLikeTheFilesItWillHold() throws Exception {
    Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
    DelegatePolicy p = allowing(pipelines);

    assertThatCode(() -> p.checkStep(clone("checkout", pipelines.toString()))).doesNotThrowAnyException();
    assertThatThrownBy(() -> p.checkStep(clone("../state", pipelines.toString())))
        .hasMessageContaining("Step clone into ../state (it resolves to " + dir.resolve("state") + ") is never allowed");
    assertThatThrownBy(() -> p.checkStep(clone("/etc/cron.d", pipelines.toString())))
        .hasMessageStartingWith("Step clone into /etc/cron.d is not allowed");
  }

  @Test
  void podsWithTheirOwnFileSystemAreNotChecked() {
    DelegatePolicy kubernetes = DelegatePolicy.forIsolatedPods(Allowlists.NONE, dir.resolve("state"));

    assertThatCode(() -> kubernetes.checkStep(step("/etc/passwd", null, null))).doesNotThrowAnyException();
  }

  @Test
  void aRelativeDirectoryIsAConfigurationProblem() {
    assertThatThrownBy(() -> Allowlists.of(Map.of("DBOPS_ALLOW_CHANGELOG_DIRS", "pipelines")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("DBOPS_ALLOW_CHANGELOG_DIRS: 'pipelines' is not an absolute directory"));
  }
}
