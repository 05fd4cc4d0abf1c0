package io.dbops.step.git;

import io.dbops.step.liquibase.StepCommand;
import io.dbops.step.liquibase.StepControl;
import io.dbops.step.liquibase.StepLog;
import io.dbops.step.liquibase.StepOutcome;
import io.dbops.support.Secrets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a CLONE step: fetches a changelog repository with JGit into the workspace. Credentials come
 * only from the environment (see {@link GitCredentials}); the password never reaches a log line,
 * an error or the result, and URLs are shown with their user part masked. Never throws for clone
 * failures: those are FAILED outcomes with one actionable sentence, also sent as an ERROR line.
 *
 * <p>Stateless apart from its settings: safe to call from several threads for different
 * directories.
 */
public final class CloneRunner {
  /** JGit's network timeout: the longest one read or write may block. */
  public static final int IO_TIMEOUT_SECONDS = 120;
  private static final Logger logger = LoggerFactory.getLogger(CloneRunner.class);

  private final Map<String, String> environment;
  private final RepositoryCloner cloner;

  /** @param environment where the password and user name variables are read (System.getenv()) */
  public CloneRunner(Map<String, String> environment) {
    this(environment, IO_TIMEOUT_SECONDS);
  }

  CloneRunner(Map<String, String> environment, int ioTimeoutSeconds) {
    this.environment = Map.copyOf(environment);
    this.cloner = new RepositoryCloner(ioTimeoutSeconds);
  }

  /** Every problem with a CLONE's source, each naming its field; empty when it may run. */
  public static List<String> problems(GitSource source, String urlField, String directoryField) {
    List<String> problems = new ArrayList<>(GitUrls.problems(urlField, source.url()));
    if (source.directory().isEmpty()) {
      problems.add(directoryField + " is required (the workspace directory to clone into)");
    }
    return problems;
  }

  public StepOutcome run(StepCommand command, StepLog sink, StepControl control) {
    long started = System.nanoTime();
    GitSource source = command.git();
    String[] password = {""};
    StepLog log = (level, text) -> sink.line(level, mask(text, password[0]));
    StepOutcome outcome;
    try {
      List<String> problems = problems(source, "git.url", "git.directory");
      if (!problems.isEmpty()) {
        throw new CloneFailure("Invalid clone request: " + String.join("; ", problems));
      }
      GitCredentials credentials = GitCredentials.resolve(source, environment);
      password[0] = credentials.password();
      Path directory = directory(command.searchPath(), source.directory());
      log.line(StepLog.Level.INFO, "Step " + command.stepId() + ": CLONE " + GitUrls.forLog(source.url())
          + (source.ref().isEmpty() ? " (default branch)" : " ref " + source.ref()) + " into " + directory + " "
          + credentials.describe());
      TargetDirectory target = TargetDirectory.prepare(directory);
      RepositoryCloner.Cloned cloned;
      try {
        cloned = cloner.clone(source, credentials, target,
            new StepProgressMonitor(control, text -> log.line(StepLog.Level.INFO, text)),
            text -> log.line(StepLog.Level.INFO, text));
      } catch (CloneFailure e) {
        throw new CloneFailure(e.getMessage() + target.discard(), e.getCause());
      }
      Map<String, String> outputs = new LinkedHashMap<>();
      outputs.put("commit", cloned.commit());
      outputs.put("directory", directory.toString());
      outputs.put("ref", cloned.target().refName());
      outputs.put("refType", cloned.target().type());
      log.line(StepLog.Level.INFO, "Cloned commit " + cloned.commit() + " (" + cloned.target().type() + " "
          + cloned.target().refName() + ") into " + directory);
      outcome = new StepOutcome(StepOutcome.Status.SUCCEEDED, "", outputs, List.of(), 0);
    } catch (CloneFailure e) {
      logger.debug("Step {}: clone failed", command.stepId(), e);
      outcome = new StepOutcome(StepOutcome.Status.FAILED, e.getMessage(), Map.of(), List.of(), 0);
    }
    if (control.isStopped() && outcome.status() != StepOutcome.Status.SUCCEEDED) {
      outcome = new StepOutcome(StepOutcome.Status.ABORTED, "Step stopped (" + control.reason()
          + "); the partial clone was removed.", Map.of(), List.of(), 0);
    }
    if (outcome.status() != StepOutcome.Status.SUCCEEDED) {
      outcome = new StepOutcome(outcome.status(), mask(outcome.error(), password[0]), outcome.outputs(),
          outcome.changesets(), 0);
      log.line(StepLog.Level.ERROR, outcome.error());
    }
    return outcome.withDuration((System.nanoTime() - started) / 1_000_000);
  }

  private static Path directory(String searchPath, String directory) throws CloneFailure {
    try {
      Path path = Path.of(directory);
      if (!path.isAbsolute() && !searchPath.isEmpty()) {
        path = Path.of(searchPath).resolve(path);
      }
      return path.toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new CloneFailure("Clone directory '" + directory + "' is not a valid path: " + e.getMessage());
    }
  }

  private static String mask(String text, String password) {
    return GitUrls.forLog(Secrets.maskValue(text, password));
  }
}
