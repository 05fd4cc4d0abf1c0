package io.dbops.step.server;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.GitSource;
import io.dbops.step.git.CloneRunner;
import io.dbops.step.liquibase.LiquibaseTables;
import io.dbops.step.liquibase.StepCommand;
import java.util.ArrayList;
import java.util.List;

/** Checks a gRPC request and converts it to a {@link StepCommand}: the edge of the contract. */
final class RequestMapper {
  private RequestMapper() {}

  /** Every problem with the request, each naming its field; empty when valid. */
  static List<String> problems(StepRequest request) {
    List<String> problems = new ArrayList<>();
    if (request.getStepId().isBlank()) {
      problems.add("step_id is required");
    }
    if (request.getKind() == StepKind.STEP_KIND_UNSPECIFIED || request.getKind() == StepKind.UNRECOGNIZED) {
      problems.add("kind is required (APPLY, PREVIEW, ROLLBACK, STATUS, VALIDATE, TAG, SYNC, DRIFT, POLICY, HISTORY"
          + " or CLONE)");
    }
    if (request.getKind() == StepKind.STEP_KIND_CLONE) {
      // CLONE needs neither changelog nor database.
      problems.addAll(CloneRunner.problems(git(request.getGit()), "git.url", "git.directory"));
      if (request.getGit().getDepth() < 0) {
        problems.add("git.depth must not be negative");
      }
      return problems;
    }
    if (request.getChangelog().isBlank() && request.getKind() != StepKind.STEP_KIND_HISTORY) {
      problems.add("changelog is required");
    }
    if (!request.hasDatabase() || request.getDatabase().getJdbcUrl().isBlank()) {
      problems.add("database.jdbc_url is required");
    }
    if (request.getKind() == StepKind.STEP_KIND_TAG && request.getTag().isBlank()) {
      problems.add("tag is required for TAG");
    }
    if (request.getKind() == StepKind.STEP_KIND_ROLLBACK && request.getTag().isBlank() && request.getCount() <= 0) {
      problems.add("ROLLBACK needs tag or a count > 0");
    }
    if (request.getCount() < 0) {
      problems.add("count must not be negative");
    }
    problems.addAll(tables(request).problems("database.", false));
    return problems;
  }

  static StepCommand toCommand(StepRequest request) {
    if (request.getKind() == StepKind.STEP_KIND_CLONE) {
      return StepCommand.clone(request.getStepId(), git(request.getGit()), request.getSearchPath());
    }
    return new StepCommand(
        request.getStepId(),
        kind(request.getKind()),
        request.getChangelog(),
        request.getSearchPath(),
        request.getDatabase().getJdbcUrl(),
        request.getDatabase().getUsername(),
        request.getDatabase().getPasswordEnv(),
        request.getContexts(),
        request.getLabels(),
        request.getTag(),
        request.getCount(),
        request.getParametersMap(),
        request.getPreTagPrefix(),
        request.getNextOnly(),
        request.getFailOnDrift(),
        request.getPolicyFile(),
        request.getRollback(),
        io.dbops.step.git.GitSource.NONE,
        tables(request),
        request.getApprovedSqlHash(),
        request.getRequireReversible());
  }

  private static LiquibaseTables tables(StepRequest request) {
    DatabaseTarget db = request.getDatabase();
    return new LiquibaseTables(db.getDatabaseChangelogTableName(), db.getDatabaseChangelogLockTableName(),
        db.getDefaultSchemaName(), db.getLiquibaseSchemaName());
  }

  private static io.dbops.step.git.GitSource git(GitSource git) {
    return new io.dbops.step.git.GitSource(git.getUrl(), git.getRef(), git.getDirectory(), git.getUsername(),
        git.getPasswordEnv(), Math.max(0, git.getDepth()));
  }

  private static StepCommand.Kind kind(StepKind kind) {
    return switch (kind) {
      case STEP_KIND_APPLY -> StepCommand.Kind.APPLY;
      case STEP_KIND_PREVIEW -> StepCommand.Kind.PREVIEW;
      case STEP_KIND_ROLLBACK -> StepCommand.Kind.ROLLBACK;
      case STEP_KIND_STATUS -> StepCommand.Kind.STATUS;
      case STEP_KIND_VALIDATE -> StepCommand.Kind.VALIDATE;
      case STEP_KIND_TAG -> StepCommand.Kind.TAG;
      case STEP_KIND_SYNC -> StepCommand.Kind.SYNC;
      case STEP_KIND_DRIFT -> StepCommand.Kind.DRIFT;
      case STEP_KIND_POLICY -> StepCommand.Kind.POLICY;
      case STEP_KIND_HISTORY -> StepCommand.Kind.HISTORY;
      case STEP_KIND_CLONE -> StepCommand.Kind.CLONE;
      default -> throw new IllegalArgumentException("kind " + kind);
    };
  }
}
