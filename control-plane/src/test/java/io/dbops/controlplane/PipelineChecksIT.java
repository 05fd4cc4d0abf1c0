package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.ApiError;
import io.dbops.controlplane.http.ServerLimits;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLimits;
import io.dbops.pipeline.Stage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, pipelines: the control plane refuses a JDBC URL password and pipelines over its ceilings. */
class PipelineChecksIT {
  @TempDir Path dataDir;

  @Test
  void submissionsWithAUrlPasswordOrBeyondTheCeilingsAreRefusedWithoutEchoingTheSecret() {
    try (ControlPlane controlPlane = new ControlPlane(Fixtures.config(dataDir), ServerLimits.DEFAULTS,
        TlsSettings.none(), new PipelineLimits(2, 1))) {
      controlPlane.start();
      TestClient client = new TestClient(controlPlane.baseUrl());

      Pipeline withPassword = new Pipeline("orders", List.of(new Stage("dev",
          new Database("jdbc:postgresql://db:5432/orders?user=app&password=Hunter2Hunter2", "app", null),
          List.of(Fixtures.step("migrate", "apply")), List.of(), 0)));
      TestClient.Reply refused = client.post("/api/v1/executions", withPassword);
      assertThat(refused.code()).isEqualTo(400);
      assertThat(refused.body()).doesNotContain("Hunter2Hunter2");
      assertThat(refused.as(ApiError.class).details()).containsExactly("stages[0].database.url must not"
          + " contain a password (found in the property 'password'); put the password in a secret and name"
          + " it in stages[0].database.passwordFrom (" + io.dbops.secrets.SecretSource.FORMS + ")");

      Pipeline tooBig = Fixtures.pipeline("big", Fixtures.step("one", "apply"), Fixtures.step("two", "apply"));
      TestClient.Reply tooMany = client.post("/api/v1/executions", tooBig);
      assertThat(tooMany.code()).isEqualTo(400);
      assertThat(tooMany.as(ApiError.class).details()).containsExactly("stages[0].steps lists 2 steps, more"
          + " than the 1 allowed per stage (rule: pipeline size; the control plane's DBOPS_MAX_STEPS sets"
          + " the ceiling)");

      assertThat(client.post("/api/v1/executions", Fixtures.pipeline("ok", Fixtures.step("one", "apply")))
          .code()).isEqualTo(201);
    }
  }
}
