package io.dbops.step.git;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;

/**
 * What a clone checks out, decided from the refs the remote advertises before anything is fetched:
 * a branch, a tag, or a commit id (found after fetching). Immutable.
 *
 * @param type branch, tag or commit
 * @param refName the full ref name (refs/heads/main, refs/tags/v1) or, for a commit, the id as given
 */
record CloneTarget(String type, String refName) {
  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-fA-F]{7,40}");

  boolean isCommit() {
    return type.equals("commit");
  }

  /**
   * The target {@code ref} names among {@code advertised} (ls-remote's map: full ref name to ref).
   * Branches win over tags of the same name, as in git.
   */
  static CloneTarget resolve(String ref, Map<String, Ref> advertised, String urlForLog) throws CloneFailure {
    if (advertised.isEmpty()) {
      throw new CloneFailure("Repository " + urlForLog + " is empty: it has no branches or tags to clone.");
    }
    if (ref.isEmpty()) {
      Ref head = advertised.get(Constants.HEAD);
      if (head != null && head.isSymbolic()) {
        return new CloneTarget("branch", head.getTarget().getName());
      }
      if (advertised.containsKey(Constants.R_HEADS + Constants.MASTER)) {
        return new CloneTarget("branch", Constants.R_HEADS + Constants.MASTER);
      }
      if (advertised.containsKey(Constants.R_HEADS + "main")) {
        return new CloneTarget("branch", Constants.R_HEADS + "main");
      }
      throw new CloneFailure("Repository " + urlForLog + " does not say which branch is its default; name one: "
          + known(advertised) + ".");
    }
    if (ref.startsWith(Constants.R_REFS) && advertised.containsKey(ref)) {
      return new CloneTarget(ref.startsWith(Constants.R_TAGS) ? "tag" : "branch", ref);
    }
    if (advertised.containsKey(Constants.R_HEADS + ref)) {
      return new CloneTarget("branch", Constants.R_HEADS + ref);
    }
    if (advertised.containsKey(Constants.R_TAGS + ref)) {
      return new CloneTarget("tag", Constants.R_TAGS + ref);
    }
    if (COMMIT_ID.matcher(ref).matches()) {
      return new CloneTarget("commit", ref.toLowerCase(java.util.Locale.ROOT));
    }
    throw notFound(ref, advertised, urlForLog, "");
  }

  static CloneFailure notFound(String ref, Map<String, Ref> advertised, String urlForLog, String detail) {
    return new CloneFailure("Ref '" + ref + "' not found in " + urlForLog + ": it is no branch or tag there"
        + (COMMIT_ID.matcher(ref).matches() ? " and no commit reachable from them" + detail : "")
        + ". Known: " + known(advertised) + ".");
  }

  /** "branches main, release; tags v1, v2" (at most ten of each). */
  private static String known(Map<String, Ref> advertised) {
    List<String> branches = names(advertised, Constants.R_HEADS);
    List<String> tags = names(advertised, Constants.R_TAGS);
    return "branches " + (branches.isEmpty() ? "(none)" : String.join(", ", branches))
        + "; tags " + (tags.isEmpty() ? "(none)" : String.join(", ", tags));
  }

  private static List<String> names(Map<String, Ref> advertised, String prefix) {
    List<String> names = advertised.keySet().stream().filter(n -> n.startsWith(prefix) && !n.endsWith("^{}"))
        .map(n -> n.substring(prefix.length())).sorted().toList();
    return names.size() <= 10 ? names
        : java.util.stream.Stream.concat(names.stream().limit(10), java.util.stream.Stream.of("... (" + names.size()
            + " in all)")).toList();
  }
}
