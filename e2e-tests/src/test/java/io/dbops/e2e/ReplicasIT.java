package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two control plane replicas on one PostgreSQL and three delegate replicas share the work. */
class ReplicasIT {
  @TempDir Path work;

  @Test
  void fiveHundredTasksRunExactlyOnceAcrossTwoControlPlanesAndThreeDelegates() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Cluster cluster = new Cluster(work)) {
      Map<String, String> onPostgres = Map.of("DBOPS_DB_URL", db.jdbcUrl(), "DBOPS_DB_USER", db.username(),
          "DBOPS_DB_PASSWORD", db.password());
      Cluster.Server a = cluster.server("cp-a", 0, onPostgres);
      Cluster.Server b = cluster.server("cp-b", 0, onPostgres, a.adminToken());
      String token = a.api().createToken("replicas");
      List<Cluster.Delegate> delegates = List.of(
          cluster.delegate(a.url(), token, "shared", "d1", Map.of("DBOPS_CAPACITY", "20")),
          cluster.delegate(a.url(), token, "shared", "d2", Map.of("DBOPS_CAPACITY", "20")),
          cluster.delegate(b.url(), token, "shared", "d3", Map.of("DBOPS_CAPACITY", "20")));

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        ids.add((i % 2 == 0 ? a : b).api().submitNoop(20, 120));
      }

      DeliveryIT.awaitAllSucceeded(a.api(), ids);
      Set<String> instances = new HashSet<>();
      for (String id : ids) {
        var task = b.api().task(id);
        assertThat(task.get("attempt").asInt()).as(task.toString()).isEqualTo(1);
        instances.add(task.get("delegateInstance").asText());
      }
      double runs = 0;
      for (Cluster.Delegate d : delegates) {
        runs += Metrics.value(d.endpointsPort(), "dbops_delegate_tasks_succeeded_total");
      }
      assertThat(runs).as("noop runs summed over the three delegates").isEqualTo(500.0);
      assertThat(instances).as("delegate instances that ran tasks").hasSizeGreaterThanOrEqualTo(2);
    }
  }
}
