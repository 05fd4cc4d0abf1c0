package io.dbops.agent.policy;

import io.dbops.protocol.ExecuteStepPayload;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a step names on the local runtime, whose step processes share the delegate's file
 * system: its {@code searchPath}, {@code changelog} and {@code policyFile} (Liquibase reads them,
 * and their content can surface in error text) and a clone step's {@code into} (git writes there).
 * Each, resolved as the step runtime resolves it (against the search path, or the changelog's
 * directory for a policy file) and then to its real path, must be inside a directory of {@code
 * DBOPS_ALLOW_CHANGELOG_DIRS} (unset: none) and never inside {@code /proc}, {@code /sys}, {@code
 * /dev} or the delegate's state directory. A directory a clone step of the stage fetched into is
 * allowed by the same rule, so later steps may read it. Thread-safe.
 */
final class StepFileRule {
  static final String SETTING = "DBOPS_ALLOW_CHANGELOG_DIRS";
  private static final String RULE = "step files";
  private static final List<Path> NEVER = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

  private final List<Path> allowed;
  private final Path stateDir;

  /**
   * @param allowed absolute directories ({@code DBOPS_ALLOW_CHANGELOG_DIRS})
   * @param stateDir the delegate's state directory, never allowed; may be null
   */
  StepFileRule(List<Path> allowed, Path stateDir) {
    this.allowed = allowed.stream().map(p -> RealPaths.ofExistingPart(p.toAbsolutePath().normalize())).toList();
    this.stateDir = stateDir == null ? null : stateDir.toAbsolutePath().normalize();
  }

  void check(ExecuteStepPayload.StepSpec step) throws PolicyRefusal {
    for (Named file : files(step)) {
      check(file);
    }
  }

  private record Named(String field, String written, Path resolved) {}

  /** The step's files as the step runtime resolves them; a relative path without a search path is refused. */
  private static List<Named> files(ExecuteStepPayload.StepSpec step) throws PolicyRefusal {
    List<Named> files = new ArrayList<>();
    String searchPath = blankToNull(step.searchPath());
    Path root = searchPath == null ? null : path("searchPath", searchPath, null);
    if (root != null) {
      files.add(new Named("searchPath", searchPath, root));
    }
    boolean clone = step.git() != null;
    String changelog = clone ? null : blankToNull(step.changelog());
    Path changelogPath = changelog == null ? null : path("changelog", changelog, root);
    if (changelogPath != null) {
      files.add(new Named("changelog", changelog, changelogPath));
    }
    String policy = clone ? null : blankToNull(step.policyFile());
    if (policy != null) {
      Path base = root != null ? root : changelogPath == null ? null : changelogPath.getParent();
      files.add(new Named("policyFile", policy, path("policyFile", policy, base)));
    }
    String into = clone ? blankToNull(step.git().into()) : null;
    if (into != null) {
      files.add(new Named("clone into", into, path("clone into", into, root)));
    }
    return files;
  }

  private static Path path(String field, String written, Path base) throws PolicyRefusal {
    Path path;
    try {
      path = Path.of(written);
    } catch (InvalidPathException e) {
      throw new PolicyRefusal("Step " + field + " " + written + " is not a valid path (rule: " + RULE + ")");
    }
    if (!path.isAbsolute()) {
      if (base == null) {
        throw new PolicyRefusal("Step " + field + " " + written + " is relative and the step has no searchPath"
            + " to resolve it against (rule: " + RULE + "; name an absolute path or set searchPath)");
      }
      path = base.resolve(path);
    }
    return path.normalize();
  }

  private void check(Named file) throws PolicyRefusal {
    Path real = RealPaths.ofExistingPart(file.resolved());
    String what = "Step " + file.field() + " " + file.written()
        + (real.equals(file.resolved()) && file.written().equals(file.resolved().toString()) ? ""
            : " (it resolves to " + real + ")");
    for (Path never : NEVER) {
      if (file.resolved().startsWith(never) || real.startsWith(never)) {
        throw PolicyRefusal.never(what, RULE, "/proc, /sys and /dev hold the delegate's own process state");
      }
    }
    if (stateDir != null && (file.resolved().startsWith(stateDir)
        || real.startsWith(RealPaths.ofExistingPart(stateDir)))) {
      throw PolicyRefusal.never(what, RULE, "the delegate's state directory holds its keys, spool and records");
    }
    for (Path dir : allowed) {
      if (real.startsWith(dir)) {
        return;
      }
    }
    throw PolicyRefusal.refused(what, RULE, "the directory holding it", SETTING
        + (allowed.isEmpty() ? " (comma list of absolute directories; unset: none)" : " (now " + allowed + ")"));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
