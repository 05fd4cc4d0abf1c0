package io.dbops.liteengine.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.logship.Progress;
import io.dbops.proto.v1.ChangeSetProgress;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {
  @Test
  void readsChangesetNOfMFromTheStepRuntimesLines() {
    ProgressTracker tracker = new ProgressTracker();
    assertThat(tracker.onLine("Step s1: APPLY changelog.xml on jdbc:h2:mem:x")).isNull();
    assertThat(tracker.onLine("3 changeset(s) to apply.")).isNull();
    assertThat(tracker.onLine("Recorded rollback tag dbops-pre-1")).isNull();
    assertThat(tracker.onLine("Applying changeset db/a.xml::1::alice")).isEqualTo(new Progress(1, 3, "db/a.xml::1::alice"));
    assertThat(tracker.onLine("Applied changeset db/a.xml::1::alice in 4 ms")).isNull();
    assertThat(tracker.onLine("Applying changeset db/a.xml::2::alice")).isEqualTo(new Progress(2, 3, "db/a.xml::2::alice"));
  }

  @Test
  void countsRollbacksAndWorksWithoutATotal() {
    ProgressTracker tracker = new ProgressTracker();
    assertThat(tracker.onLine("Rolling back changeset db/a.xml::9::alice")).isEqualTo(new Progress(1, 0, "db/a.xml::9::alice"));
    ProgressTracker counted = new ProgressTracker();
    counted.onLine("Rolling back the last 2 changeset(s)");
    assertThat(counted.onLine("Rolling back changeset db/a.xml::9::alice")).isEqualTo(new Progress(1, 2, "db/a.xml::9::alice"));
  }

  @Test
  void prefersTheStepContainersOwnProgressEvents() {
    ProgressTracker tracker = new ProgressTracker();
    Progress p = tracker.onEvent(ChangeSetProgress.newBuilder().setStarted(4).setTotal(9).setChangeset("x::4::y").build());
    assertThat(p).isEqualTo(new Progress(4, 9, "x::4::y"));
    assertThat(tracker.onLine("Applying changeset x::5::y")).as("lines are not read any more").isNull();
  }
}
