package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.TokenCreated;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same SQL and changelog on PostgreSQL: schema, tokens, a full orchestration, a restart. */
class PostgresControlPlaneIT {
  @TempDir Path dataDir;

  @Test
  void runsOnPostgresqlWithTheSameSchemaAndSql() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES)) {
      var config = Fixtures.builder(dataDir).database(db.jdbcUrl(), db.username(), db.password())
          .build();
      try (ControlPlane controlPlane = new ControlPlane(config)) {
        controlPlane.start();
        TestClient client = TestClient.of(controlPlane);
        OrchestrationIT.runsATwoStepPipelineToSuccess(controlPlane, client);
        TokenCreated token = client.post("/api/v1/tokens", "{\"name\":\"pg\"}").as(TokenCreated.class);
        assertThat(db.queryLong("SELECT COUNT(*) FROM tokens WHERE token_hash LIKE '%"
            + token.token() + "%' OR name = '" + token.token() + "'")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM log_chunks")).isPositive();
        var verified = client.get("/api/v1/audit/verify").json();
        assertThat(verified.path("ok").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.path("entries").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(client.get("/api/v1/audit?action=execution.finish").json().get(0)
            .path("outcome").asText()).isEqualTo("succeeded");
      }
      // a second start finds the schema up to date and the key in settings
      try (ControlPlane again = new ControlPlane(config)) {
        again.start();
        TestClient client = TestClient.of(again);
        assertThat(client.get("/api/v1/executions").json()).hasSize(1);
      }
      assertThat(db.tableExists("databasechangelog")).isTrue();
    }
  }
}
