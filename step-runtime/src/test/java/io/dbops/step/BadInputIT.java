package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests and unreachable or misconfigured databases get clear, secret-free errors. */
class BadInputIT {
  private static final String SECRET = "S3cr3t-xyz";

  @TempDir Path tmp;
  private StepHarness harness;

  @BeforeEach
  void start() throws Exception {
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD, "SECRET_PW", SECRET));
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  private static StepRequest.Builder request(StepKind kind, String changelog, String url, String user, String pwEnv) {
    StepRequest.Builder b = StepHarness.request(kind, changelog, url, user);
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(pwEnv));
  }

  private StepRequest.Builder h2(StepKind kind, String changelog) {
    TargetDb db = TargetDb.h2(tmp);
    return request(kind, changelog, db.jdbcUrl(), db.username(), StepHarness.PASSWORD_ENV);
  }

  @Test
  void missingChangelogFileNamesThePath() {
    StepHarness.Run run = harness.execute(h2(StepKind.STEP_KIND_APPLY, "nope/missing.yaml").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("nope/missing.yaml").contains("does not exist");
  }

  @Test
  void unparseableChangelogNamesTheFileAndTheParseError() {
    StepHarness.Run run = harness.execute(h2(StepKind.STEP_KIND_APPLY, "broken/changelog.yaml").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Cannot parse changelog broken/changelog.yaml");
  }

  @Test
  void unreachableHostNamesHostAndPort() {
    StepHarness.Run run = harness.execute(
        request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", "jdbc:postgresql://127.0.0.1:1/x", "postgres", "").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Cannot connect to 127.0.0.1:1 ");
  }

  @Test
  void missingDatabaseIsNamed() {
    String url = System.getenv().getOrDefault("DBOPS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres")
        .replaceFirst("/[^/?]+(\\?|$)", "/dbops_no_such_db$1");
    StepHarness.Run run = harness.execute(
        request(StepKind.STEP_KIND_STATUS, "yaml/changelog.yaml", url, "postgres", "").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Database does not exist at 127.0.0.1:5432")
        .contains("dbops_no_such_db");
  }

  @Test
  void unsupportedJdbcUrlIsExplained() {
    StepHarness.Run run = harness.execute(
        request(StepKind.STEP_KIND_STATUS, "yaml/changelog.yaml", "jdbc:oracle:thin:@db:1521/x", "u", "").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("No JDBC driver accepts jdbc:oracle:thin:@db:1521/x");
  }

  @Test
  void wrongCredentialsNameUserAndHostButNeverThePassword() throws Exception {
    try (TestDatabase mariadb = TestDatabases.create(TestDatabases.Kind.MARIADB)) {
      String user = "dbops_u" + Long.toHexString(System.nanoTime()).substring(0, 6);
      try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
        s.execute("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'another-pass-1'");
      }
      try {
        StepHarness.Run run = harness.execute(
            request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", mariadb.jdbcUrl(), user, "SECRET_PW").build());

        assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
        assertThat(run.result().getError()).startsWith("Authentication failed for user '" + user + "' at 127.0.0.1:3306")
            .doesNotContain(SECRET);
        assertThat(run.logText()).doesNotContain(SECRET);
      } finally {
        try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
          s.execute("DROP USER '" + user + "'@'%'");
        }
      }
    }
  }

  @Test
  void passwordIsMaskedInErrorsAndLogLines() throws Exception {
    // The H2 database's password is the secret, and the failing SQL echoes it back in the
    // database's error message: the runtime must mask it everywhere.
    String url = "jdbc:h2:file:" + tmp.resolve("secretdb").toAbsolutePath();
    StepHarness.Run run = harness.execute(
        request(StepKind.STEP_KIND_APPLY, "secret/changelog.sql", url, "sa", "SECRET_PW").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("secret/changelog.sql::leak::alice").contains("**************")
        .doesNotContain(SECRET);
    assertThat(run.logText()).doesNotContain(SECRET);
    assertThat(run.result().toString()).doesNotContain(SECRET);
  }

  @Test
  void missingPasswordVariableIsNamed() {
    StepHarness.Run run = harness.execute(
        request(StepKind.STEP_KIND_APPLY, "yaml/changelog.yaml", "jdbc:h2:mem:x", "sa", "NOT_SET_PW").build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).contains("NOT_SET_PW");
  }

  @Test
  void requestWithoutRequiredFieldsIsRejectedNamingThem() {
    StepRequest empty = StepRequest.newBuilder().build();

    assertThatThrownBy(() -> harness.execute(empty))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .contains("step_id").contains("changelog").contains("jdbc_url").contains("kind");
        });
  }
}
