package io.dbops.controlplane.executions;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.pipeline.Database;
import io.dbops.pipeline.Stage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an execution names a stage's target, and what it says when no delegate can take a stage. */
class ExplainTest {
  @Test
  void aTargetIsShownWithoutUserInfoOrProperties() {
    assertThat(TargetLabel.url("jdbc:postgresql://db.internal:5432/orders?user=app&ssl=true"))
        .isEqualTo("jdbc:postgresql://db.internal:5432/orders");
    assertThat(TargetLabel.url("jdbc:mariadb://app:s3cr3t@db:3306/orders"))
        .isEqualTo("jdbc:mariadb://db:3306/orders");
    assertThat(TargetLabel.url("jdbc:h2:file:/data/orders;CIPHER=AES;FILE_PASSWORD=x"))
        .isEqualTo("jdbc:h2:file:/data/orders");
    assertThat(TargetLabel.url("jdbc:sqlserver://db:1433;databaseName=orders;password=x"))
        .isEqualTo("jdbc:sqlserver://db:1433");
    assertThat(TargetLabel.url("jdbc:oracle:thin:app/s3cr3t@db:1521/ORCL"))
        .isEqualTo("jdbc:oracle:thin:db:1521/ORCL");
    assertThat(TargetLabel.url(null)).isNull();
  }

  @Test
  void aStoredTargetIsShownByName() {
    Stage stage = new Stage("prod", null, List.of(), List.of(), 0, null, "orders-prod", "prod",
        null, null);
    assertThat(TargetLabel.of(stage)).isEqualTo("target orders-prod");
    assertThat(TargetLabel.of(new Stage("dev", new Database("jdbc:h2:mem:x", "sa", null),
        List.of(), List.of(), 0))).isEqualTo("jdbc:h2:mem:x");
  }

  @Test
  void theAnnouncementNamesEachDelegateAndTheWait() {
    long now = 1_000_000;
    assertThat(NoDelegate.message("dev", "init_stage",
        List.of("a (instance i1): missing tags [pci]", "b (instance i2): cannot reach db:5432"),
        now + 30_000, now))
        .isEqualTo("Stage dev: no delegate can take it: every connected delegate declined it: "
            + "a (instance i1): missing tags [pci]; b (instance i2): cannot reach db:5432; "
            + "waiting up to 30 s for a delegate that can take it (until 1970-01-01T00:17:10Z, "
            + "DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS), then the stage fails");
    assertThat(NoDelegate.message("dev", "init_stage", List.of(), now, now))
        .isEqualTo("Stage dev: no delegate can take it: no delegate is connected; "
            + "the stage fails now (DBOPS_STAGE_WAIT_FOR_DELEGATE_SECONDS is 0)");
    assertThat(NoDelegate.message("dev", "execute_step", List.of(), now + 120_000, now))
        .startsWith("Stage dev (execute_step): no delegate can take it")
        .contains("DBOPS_DISPATCH_DEADLINE_SECONDS");
  }
}
