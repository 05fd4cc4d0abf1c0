package io.dbops.liteengine.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.proto.v1.GitSource;
import io.dbops.proto.v1.StepRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WorkspaceMappingTest {
  private final StepRequest clone = StepRequest.newBuilder().setSearchPath("/home/ci/pipelines")
      .setGit(GitSource.newBuilder().setUrl("https://git.example.com/db.git").setDirectory("checkout")).build();
  private final StepRequest apply = StepRequest.newBuilder().setSearchPath("/home/ci/pipelines")
      .setChangelog("checkout/db/changelog.sql").setPolicyFile("/etc/dbops/policy.yaml").build();

  @Test
  void movesAbsolutePathsUnderTheWorkspaceAndLeavesRelativeOnes() {
    WorkspaceMapping mapping = WorkspaceMapping.under(Path.of("/workspace"));

    StepRequest mappedClone = mapping.map(clone);
    StepRequest mappedApply = mapping.map(apply);

    assertThat(mappedClone.getSearchPath()).isEqualTo("/workspace/home/ci/pipelines");
    assertThat(mappedClone.getGit().getDirectory()).isEqualTo("checkout");
    assertThat(mappedClone.getGit().getUrl()).isEqualTo("https://git.example.com/db.git");
    assertThat(mappedApply.getSearchPath()).isEqualTo("/workspace/home/ci/pipelines");
    assertThat(mappedApply.getChangelog()).isEqualTo("checkout/db/changelog.sql");
    assertThat(mappedApply.getPolicyFile()).isEqualTo("/workspace/etc/dbops/policy.yaml");
  }

  @Test
  void neitherEscapesTheWorkspaceNorMapsTwice() {
    WorkspaceMapping mapping = WorkspaceMapping.under(Path.of("/workspace"));

    assertThat(mapping.map(StepRequest.newBuilder().setSearchPath("/../../etc").build()).getSearchPath())
        .isEqualTo("/workspace/etc");
    assertThat(mapping.map(StepRequest.newBuilder().setSearchPath("/workspace/p").build()).getSearchPath())
        .isEqualTo("/workspace/p");
  }

  @Test
  void withoutARootTheRequestIsUnchanged() {
    assertThat(WorkspaceMapping.NONE.map(apply)).isSameAs(apply);
    assertThat(WorkspaceMapping.under(null)).isSameAs(WorkspaceMapping.NONE);
  }
}
