package io.dbops.agent.policy;

import io.dbops.secrets.SecretSource;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Rule "secret sources": which of the delegate's own secrets a pipeline may name.
 *
 * <ul>
 *   <li>{@code env:NAME} only when NAME matches a glob of {@code DBOPS_ALLOW_SECRET_ENV}; never
 *       {@code DBOPS_*} (the delegate's own settings, its token first).
 *   <li>{@code file:PATH} only when the file's real path (symlinks resolved) is under a directory
 *       of {@code DBOPS_ALLOW_SECRET_FILES}; never under {@code /proc}, {@code /sys}, {@code /dev}
 *       or the delegate's state directory.
 *   <li>{@code kubernetes:SECRET/KEY} only when SECRET matches a glob of {@code
 *       DBOPS_ALLOW_SECRET_KUBERNETES}; never the delegate's own token Secret ({@code
 *       DBOPS_TOKEN_SECRET_NAME}) nor Helm release Secrets ({@code sh.helm.release.v1.*}).
 *   <li>Store secrets (sealed by the control plane for this delegate) always.
 * </ul>
 * Thread-safe.
 */
final class SecretSourceRule {
  static final String ENV_SETTING = "DBOPS_ALLOW_SECRET_ENV";
  static final String FILES_SETTING = "DBOPS_ALLOW_SECRET_FILES";
  static final String KUBERNETES_SETTING = "DBOPS_ALLOW_SECRET_KUBERNETES";
  private static final String RULE = "secret sources";
  private static final List<Path> NEVER_FILES = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));
  private static final Glob HELM_RELEASES = Glob.name("sh.helm.release.v1.*");

  private final List<Glob> env;
  private final List<Path> files;
  private final List<Glob> kubernetes;
  private final String tokenSecretName;
  private final Path stateDir;

  SecretSourceRule(Allowlists allow, Path stateDir) {
    this.env = allow.secretEnv().stream().map(Glob::name).toList();
    this.files = allow.secretFiles();
    this.kubernetes = allow.secretKubernetes().stream().map(Glob::name).toList();
    this.tokenSecretName = allow.tokenSecretName();
    this.stateDir = stateDir;
  }

  /**
   * Refuses {@code source} unless allowed; for a {@code file:} source returns the real path to read
   * (so that a symlink swapped after the check is not followed), else null.
   *
   * @param of what the source is for, for example "variable DB_PASSWORD"
   */
  Path check(SecretSource source, String of) throws PolicyRefusal {
    String what = "Secret source " + source + " of " + of;
    switch (source.kind()) {
      case STORE:
        return null;
      case ENV:
        if (source.name().startsWith("DBOPS_")) {
          throw PolicyRefusal.never(what, RULE, "DBOPS_* variables are the delegate's own settings");
        }
        if (env.stream().noneMatch(g -> g.matches(source.name()))) {
          throw PolicyRefusal.refused(what, RULE, source.name(), ENV_SETTING);
        }
        return null;
      case FILE:
        return file(source.name(), what);
      case KUBERNETES:
        String secret = source.name().substring(0, source.name().indexOf('/'));
        if (secret.equals(tokenSecretName)) {
          throw PolicyRefusal.never(what, RULE, "it is the delegate's own token Secret (DBOPS_TOKEN_SECRET_NAME)");
        }
        if (HELM_RELEASES.matches(secret)) {
          throw PolicyRefusal.never(what, RULE, "Helm release Secrets hold the charts' values");
        }
        if (kubernetes.stream().noneMatch(g -> g.matches(secret))) {
          throw PolicyRefusal.refused(what, RULE, secret, KUBERNETES_SETTING);
        }
        return null;
      default:
        throw new IllegalStateException("unknown source kind " + source.kind());
    }
  }

  private Path file(String written, String what) throws PolicyRefusal {
    Path normal;
    try {
      normal = Path.of(written).normalize();
    } catch (InvalidPathException e) {
      throw new PolicyRefusal(what + " is not a valid path (rule: " + RULE + ")");
    }
    Path real = RealPaths.ofExistingPart(normal);
    for (Path path : List.of(normal, real)) {
      if (NEVER_FILES.stream().anyMatch(path::startsWith) || (stateDir != null && path.startsWith(stateDir()))) {
        throw PolicyRefusal.never(what + (path == real && !real.equals(normal) ? " (it resolves to " + real + ")" : ""),
            RULE, "/proc, /sys, /dev and the delegate's state directory hold the delegate's own secrets");
      }
    }
    for (Path dir : files) {
      if (real.startsWith(RealPaths.ofExistingPart(dir)) && !real.equals(RealPaths.ofExistingPart(dir))) {
        return real;
      }
    }
    String resolves = real.equals(normal) ? "" : " (it resolves to " + real + ")";
    throw PolicyRefusal.refused(what + resolves, RULE, "the directory holding it", FILES_SETTING);
  }

  private Path stateDir() {
    return RealPaths.ofExistingPart(stateDir.toAbsolutePath().normalize());
  }
}
