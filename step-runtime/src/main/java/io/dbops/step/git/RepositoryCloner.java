package io.dbops.step.git;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jgit.api.CloneCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.util.FS;

/**
 * Clones one repository with JGit: lists the remote's refs first (so a missing repository, bad
 * credentials or an unknown ref fail before anything is written), then fetches and checks out a
 * branch (as a local branch tracking origin), or a tag or commit (detached HEAD). On failure what
 * was written is removed. Stateless apart from its settings; one clone per call.
 */
final class RepositoryCloner {
  static {
    // JGit measures a file system's timestamp resolution the first time it meets it, by writing
    // probe files into the repository's .git directory. In the background (JGit's default) that
    // measurement can outlive a failed clone and write a probe file after discard() removed the
    // partial clone, leaving a .git behind (seen under load: CloneIT's empty target kept ".git").
    // Measured in the calling thread, it is over before the clone returns.
    FS.FileStoreAttributes.setBackground(false);
  }

  private final int ioTimeoutSeconds;

  /**
   * @param ioTimeoutSeconds JGit's network timeout: the longest a read or write may block, not a
   *     limit on the whole clone (the caller's deadline bounds that)
   */
  RepositoryCloner(int ioTimeoutSeconds) {
    this.ioTimeoutSeconds = ioTimeoutSeconds;
  }

  /** The commit checked out, what it was, and where. */
  record Cloned(String commit, CloneTarget target) {}

  Cloned clone(GitSource source, GitCredentials credentials, TargetDirectory directory, ProgressMonitor monitor,
      Consumer<String> log) throws CloneFailure {
    String url = GitUrls.forLog(source.url());
    Map<String, Ref> advertised;
    try {
      advertised = Git.lsRemoteRepository().setRemote(source.url()).setCredentialsProvider(credentials.provider())
          .setTimeout(ioTimeoutSeconds).callAsMap();
    } catch (GitAPIException | RuntimeException e) {
      throw CloneFailures.describe(e, url, credentials);
    }
    CloneTarget target = CloneTarget.resolve(source.ref(), advertised, url);
    log.accept("Checking out " + target.type() + " " + target.refName()
        + (source.depth() > 0 ? " (depth " + source.depth() + ")" : ""));
    CloneCommand clone = Git.cloneRepository().setURI(source.url()).setDirectory(directory.path().toFile())
        .setCredentialsProvider(credentials.provider()).setTimeout(ioTimeoutSeconds).setProgressMonitor(monitor);
    if (source.depth() > 0) {
      clone.setDepth(source.depth());
    }
    if (target.type().equals("branch")) {
      clone.setBranch(target.refName()).setBranchesToClone(List.of(target.refName())).setCloneAllBranches(false);
    } else {
      // A tag or commit is checked out detached below; fetch every branch and tag to find it.
      clone.setCloneAllBranches(true).setTagOption(TagOpt.FETCH_TAGS).setNoCheckout(true);
    }
    try (Git git = clone.call()) {
      if (monitor.isCancelled()) {
        throw new CloneFailure("Clone stopped");
      }
      ObjectId commit = target.type().equals("branch") ? git.getRepository().resolve("HEAD^{commit}")
          : detach(git, target, advertised, url, source.depth());
      if (commit == null) {
        throw new CloneFailure("Cloned " + url + " but " + target.refName() + " resolves to no commit.");
      }
      return new Cloned(commit.name(), target);
    } catch (GitAPIException | RuntimeException e) {
      throw CloneFailures.describe(e, url, credentials);
    } catch (IOException e) {
      throw new CloneFailure("Checking out " + target.refName() + " from " + url + " failed: " + e.getMessage(), e);
    }
  }

  /** Points HEAD at the tag's or commit's commit (detached) and checks it out. */
  private static ObjectId detach(Git git, CloneTarget target, Map<String, Ref> advertised, String url, int depth)
      throws IOException, GitAPIException, CloneFailure {
    Repository repository = git.getRepository();
    ObjectId commit;
    try {
      commit = repository.resolve(target.refName() + "^{commit}");
    } catch (AmbiguousObjectException e) {
      throw new CloneFailure("Commit id '" + target.refName() + "' is ambiguous in " + url
          + ": give more hex digits (" + e.getCandidates().size() + " commits start with it).");
    } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      commit = null;
    }
    if (commit == null) {
      throw CloneTarget.notFound(target.refName(), advertised, url,
          depth > 0 ? " within the last " + depth + " commit(s) of each (raise the depth, or use 0 for full history)"
              : "");
    }
    RefUpdate head = repository.updateRef("HEAD", true);
    head.setNewObjectId(commit);
    RefUpdate.Result result = head.forceUpdate();
    if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE) {
      throw new IOException("cannot point HEAD at " + commit.name() + ": " + result);
    }
    git.reset().setMode(ResetCommand.ResetType.HARD).call();
    return commit;
  }
}
