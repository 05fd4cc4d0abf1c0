package io.dbops.step;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.LogLine;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.step.config.StepRuntimeConfig;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A step runtime on an in-process gRPC server, and a client that collects a step's events. */
final class StepHarness implements AutoCloseable {
  static final String PASSWORD_ENV = "TEST_DB_PASSWORD";
  /** The pod credential of every test step runtime. */
  static final String POD_TOKEN = "test-pod-credential-0123456789abcdef";
  static final io.dbops.support.PodCredential CREDENTIAL = io.dbops.support.PodCredential.of(POD_TOKEN);

  /** {@code environment} plus the pod credential a step runtime needs to start. */
  static Map<String, String> withPodToken(Map<String, String> environment) {
    Map<String, String> env = new java.util.HashMap<>(environment);
    env.putIfAbsent(io.dbops.support.PodCredential.ENV, POD_TOKEN);
    return env;
  }

  /** A step's events, split into log lines and the one result. */
  record Run(List<StepEvent> events, List<LogLine> logs, StepResult result) {
    String logText() {
      return String.join("\n", logs.stream().map(LogLine::getText).toList());
    }
  }

  private final StepRuntime runtime;
  private final ManagedChannel channel;
  private final StepRunnerGrpc.StepRunnerBlockingStub stub;

  StepHarness(Map<String, String> environment) throws Exception {
    this(environment, StepRuntimeConfig.defaults(0));
  }

  StepHarness(Map<String, String> environment, StepRuntimeConfig config) throws Exception {
    String name = "step-" + UUID.randomUUID();
    runtime = new StepRuntime(config, withPodToken(environment),
        InProcessServerBuilder.forName(name).directExecutor(), Clock.systemUTC());
    runtime.start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = StepRunnerGrpc.newBlockingStub(channel).withInterceptors(CREDENTIAL.clientInterceptor());
  }

  StepHarness() throws Exception {
    this(Map.of());
  }

  static Path changelogs() {
    try {
      return Path.of(StepHarness.class.getResource("/changelogs").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static StepRequest.Builder request(StepKind kind, String changelog, String jdbcUrl, String user) {
    return StepRequest.newBuilder()
        .setStepId("exec-1/stage/" + UUID.randomUUID())
        .setKind(kind)
        .setChangelog(changelog)
        .setSearchPath(changelogs().toString())
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl(jdbcUrl).setUsername(user == null ? "" : user));
  }

  /** A request against {@code db}; its password (if any) is read from {@link #PASSWORD_ENV}. */
  static StepRequest.Builder request(StepKind kind, String changelog, TargetDb db) {
    StepRequest.Builder b = request(kind, changelog, db.jdbcUrl(), db.username());
    String env = db.password().isEmpty() ? "" : PASSWORD_ENV;
    return b.setDatabase(DatabaseTarget.newBuilder(b.getDatabase()).setPasswordEnv(env));
  }

  StepRunnerGrpc.StepRunnerBlockingStub stub() {
    return stub;
  }

  Run execute(StepRequest request) {
    return collect(stub.withDeadlineAfter(60, TimeUnit.SECONDS).execute(request));
  }

  static Run collect(Iterator<StepEvent> stream) {
    List<StepEvent> events = new ArrayList<>();
    stream.forEachRemaining(events::add);
    List<LogLine> logs = events.stream().filter(StepEvent::hasLog).map(StepEvent::getLog).toList();
    List<StepResult> results = events.stream().filter(StepEvent::hasResult).map(StepEvent::getResult).toList();
    if (results.size() != 1 || !events.get(events.size() - 1).hasResult()) {
      throw new AssertionError("expected exactly one result, last; got " + events);
    }
    return new Run(events, logs, results.get(0));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    runtime.close();
  }
}
