package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrchestratorTest {
  @Test
  void podNamesAreDnsLabels() {
    assertThat(Orchestrator.podName("ex-abc", "dev")).isEqualTo("dbops-ex-abc-dev");
    String longName = Orchestrator.podName("ex-abcdefghijkl", "a-very-long-stage-name-that-goes-on-and-on-");
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  }

  @Test
  void reachabilityIsTheFirstHostAndExplicitPortOfAJdbcUrl() {
    assertThat(Orchestrator.reachability("jdbc:postgresql://db.internal:5432/orders?ssl=true"))
        .isEqualTo("db.internal:5432");
    assertThat(Orchestrator.reachability("jdbc:mariadb://a:3306,b:3307/x")).isEqualTo("a:3306");
    assertThat(Orchestrator.reachability("jdbc:sqlserver://sql:1433;databaseName=x")).isEqualTo("sql:1433");
    assertThat(Orchestrator.reachability("jdbc:oracle:thin:@ora:1521:XE")).isEqualTo("ora:1521");
    assertThat(Orchestrator.reachability("jdbc:oracle:thin:@//ora:1521/svc")).isEqualTo("ora:1521");
    assertThat(Orchestrator.reachability("jdbc:postgresql://[::1]:5432/x")).isEqualTo("[::1]:5432");
    assertThat(Orchestrator.reachability("jdbc:postgresql://db/orders")).isNull();
    assertThat(Orchestrator.reachability("jdbc:h2:mem:orders")).isNull();
  }
}
