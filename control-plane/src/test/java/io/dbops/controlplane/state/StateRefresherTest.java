package io.dbops.controlplane.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.catalog.Environment;
import io.dbops.controlplane.catalog.StoredPipeline;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateRefresherTest {
  private static final Fleet FLEET = new Fleet() {
    @Override
    public Optional<String> targetEnvironment(String target) {
      return Optional.of("staging");
    }

    @Override
    public boolean environmentExists(String environment) {
      return true;
    }

    @Override
    public List<String> targetsIn(String environment) {
      return List.of("orders-eu", "Orders_US");
    }
  };

  @Test
  void aRefreshRunsHistoryOnEveryTargetAndStatusForEachStoredPipelineWithAFixedChangelog() {
    Step apply = new Step("apply", "apply", "db/changelog.xml", "/repo", null, null, null, null, null, null);
    Step inputApply = new Step("apply", "apply", "${inputs.file}", "/repo", null, null, null, null, null, null);
    StoredPipeline deploy = new StoredPipeline("deploy", null, null, List.of(stage("orders-eu", apply)));
    StoredPipeline withInputs = new StoredPipeline("by-input", null, null, List.of(stage("orders-eu", inputApply)));

    Pipeline p = StateRefresher.pipeline("refresh-staging", List.of("orders-eu", "Orders_US"), List.of(deploy, withInputs));

    assertThat(p.stages()).extracting(Stage::target).containsExactly("orders-eu", "Orders_US");
    assertThat(p.stages()).extracting(Stage::name).containsExactly("orders-eu", "orders-us");
    assertThat(p.stages().get(0).steps()).extracting(Step::name, Step::type).containsExactly(
        org.assertj.core.groups.Tuple.tuple("read-history", "history"),
        org.assertj.core.groups.Tuple.tuple("deploy", "status"));
    assertThat(p.stages().get(0).steps().get(1).changelog()).isEqualTo("db/changelog.xml");
    assertThat(p.stages().get(1).steps()).extracting(Step::type).containsExactly("history");
  }

  @Test
  void theScheduleRefreshesWhenDueAndSkipsAnEnvironmentWhoseRefreshStillRuns() {
    MutableClock clock = new MutableClock();
    List<String> submitted = new ArrayList<>();
    Set<String> finished = new HashSet<>();
    StateRefresher refresher = new StateRefresher(FLEET,
        () -> List.of(new Environment("staging", 1, null, 10), new Environment("prod", 2, null)),
        List::of, p -> p, (p, origin) -> {
          assertThat(origin.source()).isEqualTo("refresh");
          submitted.add("ex-" + submitted.size());
          return submitted.get(submitted.size() - 1);
        }, finished::contains, clock, 1000, 20);

    refresher.tick();
    assertThat(submitted).containsExactly("ex-0"); // staging only: prod has no refreshMinutes
    clock.advance(Duration.ofMinutes(11));
    refresher.tick();
    assertThat(submitted).hasSize(1); // ex-0 still runs
    finished.add("ex-0");
    refresher.tick();
    assertThat(submitted).hasSize(2);
    finished.add("ex-1");
    clock.advance(Duration.ofMinutes(9));
    refresher.tick();
    assertThat(submitted).hasSize(2); // not due before 10 minutes
    clock.advance(Duration.ofMinutes(1));
    refresher.tick();
    assertThat(submitted).hasSize(3);
  }

  @Test
  void anEnvironmentWithMoreTargetsThanAPipelineMayHaveStagesIsRefreshedInChunks() {
    List<List<String>> submitted = new ArrayList<>();
    StateRefresher refresher = new StateRefresher(FLEET, List::of, List::of, p -> p, (p, origin) -> {
      submitted.add(p.stages().stream().map(Stage::target).toList());
      return "ex-" + submitted.size();
    }, id -> true, Clock.systemUTC(), 1000, 1);
    assertThat(refresher.refreshEnvironment("staging", "alice", null)).containsExactly("ex-1", "ex-2");
    assertThat(submitted).containsExactly(List.of("orders-eu"), List.of("Orders_US"));
  }

  private static Stage stage(String target, Step... steps) {
    return new Stage("s", null, List.of(steps), List.of(), 0, null, target, null, null, null);
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-07T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
