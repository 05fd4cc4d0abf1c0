package io.dbops.controlplane.state;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The migration state API's answers (docs/api.md "Migration state"). Immutable records. */
public final class StateViews {
  private StateViews() {}

  /** {@code GET /api/v1/targets/{name}/state}. */
  public record TargetState(String target, String environment, Instant refreshedAt,
      List<Changeset> changesets, List<Pending> pending, LastDeployment lastDeployment,
      List<String> tags, Drift drift) {
    public TargetState {
      changesets = List.copyOf(changesets);
      pending = List.copyOf(pending);
      tags = List.copyOf(tags);
    }
  }

  /**
   * One DATABASECHANGELOG row of a target.
   *
   * @param executionId the dbops execution that applied it; null when applied outside dbops (or
   *     before dbops recorded state)
   * @param approvedBy who approved that execution's stage; empty for none
   */
  public record Changeset(String id, String author, String file, String checksum,
      String dateExecuted, int orderExecuted, String execType, String tag, String deploymentId,
      String executionId, List<String> approvedBy) {
    public Changeset {
      approvedBy = approvedBy == null ? List.of() : List.copyOf(approvedBy);
    }

    /** {@code file::id::author}, the way Liquibase names a changeset. */
    public String key() {
      return file + "::" + id + "::" + author;
    }
  }

  /** A changeset by name only. */
  public record Ref(String id, String author, String file) {
    public String key() {
      return file + "::" + id + "::" + author;
    }
  }

  /** What a pipeline's changelog would still apply to the target, as of a status or preview step. */
  public record Pending(String pipeline, Instant asOf, String executionId, List<Ref> changesets) {
    public Pending {
      changesets = List.copyOf(changesets);
    }
  }

  /** The last execution that applied, rolled back or synced on the target. */
  public record LastDeployment(String executionId, String pipeline, String status, Instant finishedAt) {}

  /**
   * @param status {@code clean}, {@code drifted} or {@code unknown} (no drift step ran yet)
   * @param differences one line per difference, e.g. "extra column person.nickname: varchar(50)"
   */
  public record Drift(String status, Instant checkedAt, String executionId, List<String> differences) {
    public Drift {
      differences = differences == null ? List.of() : List.copyOf(differences);
    }

    static Drift unknown() {
      return new Drift("unknown", null, null, List.of());
    }
  }

  /** {@code GET /api/v1/environments/{name}/state}. */
  public record EnvironmentGrid(String environment, List<GridTarget> targets,
      List<GridChangeset> changesets, Map<String, Map<String, String>> cells) {}

  public record GridTarget(String target, Instant refreshedAt, Drift drift) {}

  public record GridChangeset(String key, String id, String author, String file) {}

  /** {@code GET /api/v1/diff}. */
  public record DiffView(String from, String to, List<TargetDiff> targets) {}

  public record TargetDiff(String target, String environment, List<Ref> missing, List<Ref> extra) {}
}
