package io.dbops.controlplane.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.state.StateViews.Ref;
import io.dbops.controlplane.state.StateViews.TargetDiff;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateDiffTest {
  private static final Ref C1 = new Ref("1", "alice", "db/a.sql");
  private static final Ref C2 = new Ref("2", "alice", "db/a.sql");
  private static final Ref C3 = new Ref("3", "bob", "db/b.sql");
  private static final Ref HOTFIX = new Ref("hotfix", "ops", "db/hotfix.sql");

  @Test
  void eachTargetOfTheOtherEnvironmentMissesWhatAnyTargetOfThisOneApplied() {
    Map<String, Map<String, Ref>> staging = env("stg-1", List.of(C1, C2), "stg-2", List.of(C1, C3));
    Map<String, Map<String, Ref>> prod = env("prod-1", List.of(C1), "prod-2", List.of(C1, C2, HOTFIX));

    List<TargetDiff> diff = StateDiff.diff("staging", staging, "prod", prod);

    assertThat(diff).extracting(TargetDiff::target).containsExactly("stg-1", "stg-2", "prod-1", "prod-2");
    TargetDiff prod1 = diff.get(2);
    assertThat(prod1.environment()).isEqualTo("prod");
    assertThat(prod1.missing()).containsExactly(C2, C3); // U(staging) - applied(prod-1)
    assertThat(prod1.extra()).isEmpty();
    TargetDiff prod2 = diff.get(3);
    assertThat(prod2.missing()).containsExactly(C3);
    assertThat(prod2.extra()).containsExactly(HOTFIX); // applied on prod-2, nowhere in staging
    TargetDiff stg1 = diff.get(0);
    assertThat(stg1.missing()).containsExactly(HOTFIX); // U(prod) - applied(stg-1)
    assertThat(stg1.extra()).isEmpty();
    assertThat(diff.get(1).missing()).containsExactly(C2, HOTFIX);
    assertThat(diff.get(1).extra()).containsExactly(C3);
  }

  @Test
  void identicalEnvironmentsHaveNoDifferencesAndAnEmptyEnvironmentMissesEverything() {
    Map<String, Map<String, Ref>> a = env("a-1", List.of(C1, C2), "a-2", List.of(C2, C1));
    Map<String, Map<String, Ref>> b = env("b-1", List.of(C1, C2), "b-2", List.of());

    List<TargetDiff> diff = StateDiff.diff("a", a, "b", b);

    assertThat(diff.get(0).missing()).isEmpty();
    assertThat(diff.get(0).extra()).isEmpty();
    assertThat(diff.get(2).missing()).isEmpty();
    assertThat(diff.get(3).missing()).containsExactly(C1, C2);
  }

  @Test
  void theKeyIsFileIdAndAuthorTogether() {
    Ref sameIdOtherAuthor = new Ref("1", "mallory", "db/a.sql");
    List<TargetDiff> diff = StateDiff.diff("a", env("a-1", List.of(C1), null, null), "b",
        env("b-1", List.of(sameIdOtherAuthor), null, null));
    assertThat(diff.get(1).missing()).containsExactly(C1);
    assertThat(diff.get(1).extra()).containsExactly(sameIdOtherAuthor);
  }

  private static Map<String, Map<String, Ref>> env(String t1, List<Ref> r1, String t2, List<Ref> r2) {
    Map<String, Map<String, Ref>> env = new LinkedHashMap<>();
    env.put(t1, refs(r1));
    if (t2 != null) {
      env.put(t2, refs(r2));
    }
    return env;
  }

  private static Map<String, Ref> refs(List<Ref> refs) {
    Map<String, Ref> map = new LinkedHashMap<>();
    refs.forEach(r -> map.put(r.key(), r));
    return map;
  }
}
