package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.api.LogPage;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.secrets.MaskEnvironment;
import io.dbops.step.StepRuntime;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.support.Secrets;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that prints its database password in every form, through the real step runtime (Liquibase
 * on an H2 file database whose password it is), the real lite engine (configured from {@code
 * DBOPS_MASK_ENV} as in a pod) and the real log service: none of the forms reaches the stored logs
 * or the step's result; masks do.
 *
 * <p>How the step prints it: the changelog's SQL echoes changelog parameters holding the password
 * in each form (a preview prints the SQL; an apply fails with the value in the database's error).
 * The multi-line value is a second secret variable of the pod.
 */
class SecretLeakIT {
  private static final String EXECUTION = "ex-leak";
  /** Quotes, a backslash, a slash, a plus, a space, an ampersand and a non-ASCII letter. */
  private static final String PASSWORD = "Pa\"ss\\w\u00f6rd/+ &x7";
  private static final String CERT = "cert-line-one-Q1\ncert-line-two-Q2";

  @TempDir Path work;
  private RealLogService service;
  private LiteEngine engine;
  private StepRuntime step;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (step != null) {
      step.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  void noFormOfThePasswordPrintedByAStepReachesTheStoredLogsOrTheResult() throws Exception {
    Map<String, String> podEnv = Map.of("DB_PASSWORD", PASSWORD, "DB_CERT", CERT,
        MaskEnvironment.VARIABLE, "DB_PASSWORD,DB_CERT");
    service = new RealLogService(work.resolve("cp"), null, null).start();
    service.execution(EXECUTION, "RUNNING");
    Map<String, String> stepEnv = new java.util.HashMap<>(podEnv);
    stepEnv.put(io.dbops.support.PodCredential.ENV, TestPod.TOKEN);
    step = new StepRuntime(StepRuntimeConfig.defaults(0), stepEnv);
    step.start();
    Map<String, String> engineEnv = new java.util.HashMap<>(Map.of("DBOPS_LITE_ENGINE_PORT", "0",
        "DBOPS_LOG_SPOOL_DIR", work.resolve("spool").toString(), MaskEnvironment.VARIABLE, "DB_PASSWORD,DB_CERT",
        "DB_PASSWORD", PASSWORD, "DB_CERT", CERT));
    engineEnv.putAll(TestPod.env(service.url(), step.port()));
    engine = new LiteEngine(LiteEngineConfig.fromEnvironment(engineEnv));
    engine.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", engine.port()).usePlaintext().build();
    Files.writeString(work.resolve("leak.xml"), CHANGELOG);
    List<String> forms = forms();

    ExecuteStepResponse preview = run("preview", StepKind.STEP_KIND_PREVIEW);
    ExecuteStepResponse apply = run("apply", StepKind.STEP_KIND_APPLY);

    String previewLog = storedText("preview");
    String applyLog = storedText("apply");
    // The step did print every form (each line of the echo is there, with a mask where the value was) ...
    assertThat(previewLog).contains("plain=" + Secrets.MASK, "b64=" + Secrets.MASK, "b64url=" + Secrets.MASK,
        "b64nopad=" + Secrets.MASK, "url=" + Secrets.MASK, "url20=" + Secrets.MASK, "json=" + Secrets.MASK,
        "certjson=" + Secrets.MASK, "cert=" + Secrets.MASK);
    assertThat(previewLog.lines()).as("the second line of the multi-line value").contains(Secrets.MASK + "';");
    assertThat(apply.getResult().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(applyLog).contains("Table \"" + Secrets.MASK + "\" not found");
    // ... and none of them is stored, or returned.
    for (String form : forms) {
      assertThat(previewLog).as("stored preview log").doesNotContain(form);
      assertThat(applyLog).as("stored apply log").doesNotContain(form);
      assertThat(preview.getResult().toString()).as("preview result").doesNotContain(form);
      assertThat(apply.getResult().toString()).as("apply result").doesNotContain(form);
    }
    assertThat(apply.getResult().getError()).contains(Secrets.MASK);
    assertThat(preview.getResult().getOutputsMap().get("sql")).contains("b64=" + Secrets.MASK);
  }

  private ExecuteStepResponse run(String name, StepKind kind) {
    String stream = "executions/" + EXECUTION + "/dev/" + name;
    byte[] bytes = PASSWORD.getBytes(StandardCharsets.UTF_8);
    Map<String, String> parameters = Map.of(
        "plain", PASSWORD,
        "b64", Base64.getEncoder().encodeToString(bytes),
        "b64url", Base64.getUrlEncoder().encodeToString(bytes),
        "b64nopad", Base64.getEncoder().withoutPadding().encodeToString(bytes),
        "url", URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8),
        "url20", URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20"),
        "json", PASSWORD.replace("\\", "\\\\").replace("\"", "\\\""),
        "certjson", CERT.replace("\n", "\\n"),
        "cert", CERT);
    ExecuteStepRequest request = ExecuteStepRequest.newBuilder()
        .setStepPort(step.port())
        .setStep(StepRequest.newBuilder().setStepId(EXECUTION + "/dev/" + name).setKind(kind)
            .setChangelog("leak.xml").setSearchPath(work.toString())
            .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl("jdbc:h2:file:" + work.resolve("db/app"))
                .setUsername("sa").setPasswordEnv("DB_PASSWORD"))
            .putAllParameters(parameters))
        .setLogStream(LogStream.newBuilder().setServiceUrl(service.url()).setKey(stream)
            .setToken(service.tokenFor(stream)))
        .build();
    return LiteEngineGrpc.newBlockingStub(channel).withInterceptors(TestPod.credential()).withDeadlineAfter(2, TimeUnit.MINUTES).executeStep(request);
  }

  private String storedText(String name) throws InterruptedException {
    return service.lines(EXECUTION, "executions/" + EXECUTION + "/dev/" + name).stream()
        .map(LogPage.Line::text).collect(Collectors.joining("\n"));
  }

  /** Every form of both secrets that must never be stored. */
  private static List<String> forms() {
    List<String> forms = new ArrayList<>();
    for (String value : List.of(PASSWORD, CERT, "cert-line-one-Q1", "cert-line-two-Q2")) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      forms.add(value);
      forms.add(Base64.getEncoder().encodeToString(bytes));
      forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
      forms.add(Base64.getUrlEncoder().encodeToString(bytes));
      forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8));
      forms.add(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      forms.add(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
    }
    return forms;
  }

  private static final String CHANGELOG = """
      <?xml version="1.0" encoding="UTF-8"?>
      <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
            http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.20.xsd">
        <changeSet id="1-echo" author="leak">
          <sql splitStatements="false">SELECT 'plain=${plain}',
        'b64=${b64}',
        'b64url=${b64url}',
        'b64nopad=${b64nopad}',
        'url=${url}',
        'url20=${url20}',
        'json=${json}',
        'certjson=${certjson}',
        'cert=${cert}';</sql>
        </changeSet>
        <changeSet id="2-fail" author="leak">
          <sql>SELECT * FROM "${b64}"</sql>
        </changeSet>
      </databaseChangeLog>
      """;
}
