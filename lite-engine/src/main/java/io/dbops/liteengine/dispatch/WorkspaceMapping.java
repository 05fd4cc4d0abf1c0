package io.dbops.liteengine.dispatch;

import io.dbops.proto.v1.StepRequest;
import java.nio.file.Path;

/**
 * Maps the absolute paths of a step request (search path, changelog, policy file, clone directory)
 * into the pod's workspace volume: {@code /home/ci/pipelines} becomes {@code
 * <root>/home/ci/pipelines}. A pipeline's paths are those of the machine that submitted it; in a
 * Kubernetes build pod they exist only under the shared workspace, where a clone step puts the
 * changelogs and where later steps of the stage read them. Relative paths are left alone (they
 * resolve against the mapped search path). Immutable.
 */
public final class WorkspaceMapping {
  /** Paths are used as they are (the local runtime: every container shares the host's files). */
  public static final WorkspaceMapping NONE = new WorkspaceMapping(null);

  private final Path root;

  private WorkspaceMapping(Path root) {
    this.root = root;
  }

  /** Maps under {@code root}; {@link #NONE} when root is null. */
  public static WorkspaceMapping under(Path root) {
    return root == null ? NONE : new WorkspaceMapping(root.toAbsolutePath().normalize());
  }

  /** The request with its absolute paths moved under the workspace root. */
  public StepRequest map(StepRequest step) {
    if (root == null) {
      return step;
    }
    StepRequest.Builder b = step.toBuilder()
        .setSearchPath(mapped(step.getSearchPath()))
        .setChangelog(mapped(step.getChangelog()))
        .setPolicyFile(mapped(step.getPolicyFile()));
    if (step.hasGit()) {
      b.setGit(step.getGit().toBuilder().setDirectory(mapped(step.getGit().getDirectory())));
    }
    return b.build();
  }

  private String mapped(String path) {
    if (path.isEmpty() || !path.startsWith("/")) {
      return path;
    }
    Path normalized = Path.of(path).normalize();
    return normalized.startsWith(root) ? normalized.toString()
        : root.resolve(normalized.toString().substring(1)).toString();
  }

  @Override
  public String toString() {
    return root == null ? "WorkspaceMapping[none]" : "WorkspaceMapping[" + root + "]";
  }
}
