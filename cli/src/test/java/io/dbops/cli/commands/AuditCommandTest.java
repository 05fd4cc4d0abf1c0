package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ApiCallException;
import io.dbops.controlplane.ControlPlane;
import io.dbops.controlplane.config.ControlPlaneConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dbops access} and {@code dbops audit [verify]} against a real control plane over HTTP. */
class AuditCommandTest {
  @TempDir Path dataDir;
  private ControlPlane controlPlane;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream originalOut;

  @BeforeEach
  void start() {
    controlPlane = new ControlPlane(ControlPlaneConfig.builder().port(0).dataDir(dataDir).build());
    controlPlane.start();
    originalOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setOut(originalOut);
    controlPlane.close();
  }

  private int run(Object command, String... args) {
    out.reset();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--server";
    all[args.length + 1] = controlPlane.baseUrl();
    return ApiTokens.use(new CommandLine(command), controlPlane.adminToken()).execute(all);
  }

  private String printed() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aTokenCreationIsAuditedAndAnEditedEntryMakesVerifyFailNamingIt() throws Exception {
    assertThat(run(new AccessCommand(), "create", "alice", "--role", "deployer")).isZero();
    String token = printed().trim();
    assertThat(token).startsWith("dbops_pat_");

    assertThat(run(new AuditCommand(), "--action", "access.token.create")).isZero();
    assertThat(printed()).contains("access.token.create").contains("bootstrap-admin").doesNotContain(token);

    assertThat(run(new AuditCommand(), "verify")).isZero();
    assertThat(printed()).contains("Audit log intact");

    long seq;
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("controlplane"));
        var rs = c.createStatement().executeQuery("SELECT MIN(seq) FROM audit_log")) {
      rs.next();
      seq = rs.getLong(1);
      c.createStatement().executeUpdate("UPDATE audit_log SET actor = 'someone else' WHERE seq = " + seq);
    }
    assertThat(run(new AuditCommand(), "verify")).isEqualTo(ExitCodes.FAILED);
    assertThat(printed()).contains("Audit log BROKEN at entry " + seq);
  }

  @Test
  void aViewerTokenIsRefusedOnTheAuditLogNamingWhatIsNeeded() {
    assertThat(run(new AccessCommand(), "create", "viewer", "--role", "viewer")).isZero();
    String viewer = printed().trim();
    AtomicReference<Exception> failure = new AtomicReference<>();
    CommandLine cli = ApiTokens.use(new CommandLine(new AuditCommand()), viewer);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      failure.set(e);
      return 1;
    });
    cli.execute("--server", controlPlane.baseUrl());
    assertThat(failure.get()).isInstanceOfSatisfying(ApiCallException.class, e -> {
      assertThat(e.status()).isEqualTo(403);
      assertThat(e.getMessage()).contains("audit").contains("viewer").doesNotContain(viewer);
    });
  }
}
