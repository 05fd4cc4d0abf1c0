package io.dbops.agent.task;

import io.dbops.support.GrpcChannels;
import io.dbops.support.LogKeys;
import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.policy.PolicyRefusal;
import io.dbops.agent.secrets.PodCredentials;
import io.dbops.agent.secrets.PodMaskers;
import io.dbops.secrets.Masker;
import io.dbops.protocol.ExecuteStepPayload;
import io.dbops.protocol.Frame;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskTypes;
import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.GitSource;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepStatus;
import io.dbops.support.Json;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * execute_step: calls the pod's lite engine with the task's timeout as deadline and converts its
 * result to a {@link StepOutput}. The call is asynchronous: no thread waits for the step. The
 * payload's log token goes into the request only; it is never logged (the proto request's toString
 * would print it, so requests are never logged). What goes
 * back to the control plane (the error, the outputs, failure messages) is masked with the pod's
 * masker, so no secret of the pod reaches the control plane's task records or the delegate's log,
 * even when the lite engine did not mask (an older lite engine, a pod started without {@code
 * DBOPS_MASK_ENV}).
 *
 * <p>Before the lite engine is called, the step's JDBC URL and git repository pass the delegate's
 * allowlists ({@link DelegatePolicy}); every call carries the pod's credential ({@code
 * authorization: Bearer <DBOPS_POD_TOKEN>}) when this instance started the pod.
 */
final class ExecuteStepHandler implements TaskHandler {
  private static final Map<String, StepKind> KINDS = Map.ofEntries(
      Map.entry("apply", StepKind.STEP_KIND_APPLY),
      Map.entry("preview", StepKind.STEP_KIND_PREVIEW),
      Map.entry("rollback", StepKind.STEP_KIND_ROLLBACK),
      Map.entry("status", StepKind.STEP_KIND_STATUS),
      Map.entry("validate", StepKind.STEP_KIND_VALIDATE),
      Map.entry("tag", StepKind.STEP_KIND_TAG),
      Map.entry("sync", StepKind.STEP_KIND_SYNC),
      Map.entry("drift", StepKind.STEP_KIND_DRIFT),
      Map.entry("policy", StepKind.STEP_KIND_POLICY),
      Map.entry("history", StepKind.STEP_KIND_HISTORY),
      Map.entry("clone", StepKind.STEP_KIND_CLONE));

  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final GrpcChannels channels;
  private final PodMaskers maskers;
  private final PodCredentials credentials;
  private final DelegatePolicy policy;
  private final StageLogs stageLogs;

  ExecuteStepHandler(GrpcChannels channels, PodMaskers maskers, PodCredentials credentials, DelegatePolicy policy,
      StageLogs stageLogs) {
    this.channels = channels;
    this.maskers = maskers;
    this.credentials = credentials;
    this.policy = policy;
    this.stageLogs = stageLogs;
  }

  @Override
  public Masker masker(Frame.TaskAssigned task) {
    return maskers.get(TaskHandler.podName(task));
  }

  @Override
  public String taskType() {
    return TaskTypes.EXECUTE_STEP;
  }

  /** Blocking, for callers outside a task runner: the step's outcome; an interrupt cancels the call. */
  @Override
  public TaskOutcome run(Frame.TaskAssigned task) throws Exception {
    return TaskThreads.await(start(task, TaskThreads.callerRuns()));
  }

  /**
   * Checks and sends the step on the calling thread and returns at once: the lite engine's answer
   * completes the future on a {@link TaskThreads#callbacks} thread, so no thread waits for the step.
   * Cancelling the future cancels the gRPC call (and so the step).
   */
  @Override
  public CompletableFuture<TaskOutcome> start(Frame.TaskAssigned task, TaskThreads threads)
      throws TaskFailedException {
    ExecuteStepPayload payload = Json.convert(task.payload(), ExecuteStepPayload.class);
    Masker masker = maskers.get(payload.podName());
    StageLog stage = stageLogs.of(task.payload(), payload.podName(), maskers);
    String step = payload.stepName();
    stage.info("Running step " + step + " on the lite engine at " + payload.liteEngineAddress());
    try (var pod = MDC.putCloseable(LogKeys.POD, payload.podName());
        var execution = MDC.putCloseable(LogKeys.EXECUTION_ID, payload.executionId())) {
      try {
        policy.checkStep(payload.step());
      } catch (PolicyRefusal e) {
        throw new TaskFailedException("Step " + step + " refused: " + e.getMessage());
      }
      Executor callbacks = threads.callbacks();
      CompletableFuture<ExecuteStepResponse> response = call(task, payload, callbacks);
      CompletableFuture<TaskOutcome> outcome = new CompletableFuture<>();
      // On a callbacks thread even when the call is cancelled (by the connection or timeout thread):
      // the stage line may wait for room in its shipper's queue.
      response.whenCompleteAsync((answer, error) -> {
        try {
          outcome.complete(report(stage, step, outcome(answer, error, task, payload, masker)));
        } catch (TaskFailedException e) {
          outcome.completeExceptionally(failure(stage, step, masker, e));
        } catch (RuntimeException e) {
          outcome.completeExceptionally(e);
        }
      }, callbacks);
      outcome.whenComplete((result, error) -> {
        if (outcome.isCancelled()) {
          response.cancel(false); // cancels the call
        }
      });
      return outcome;
    } catch (TaskFailedException e) {
      throw failure(stage, step, masker, e);
    }
  }

  /** The step's outcome from the lite engine's answer, or the failure of the call. */
  private static TaskOutcome outcome(ExecuteStepResponse response, Throwable error, Frame.TaskAssigned task,
      ExecuteStepPayload payload, Masker masker) throws TaskFailedException {
    String address = payload.liteEngineAddress();
    if (error instanceof CancellationException) {
      throw new TaskFailedException("Call to the lite engine at " + address
          + " was cancelled: the task was stopped (timeout, abort or delegate shutdown)");
    }
    if (error != null) {
      Status status = Status.fromThrowable(error);
      if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        throw new TaskFailedException("Task " + task.taskId() + " (execute_step) timed out after "
            + task.timeoutSeconds() + " s: the lite engine at " + address + " returned no result in time");
      }
      throw new TaskFailedException(describe(address, status));
    }
    StepOutput output = masked(output(response), masker);
    return response.getResult().getStatus() == StepStatus.STEP_STATUS_SUCCEEDED
        ? TaskOutcome.succeeded(output)
        : TaskOutcome.failed(masker.apply(errorOf(response.getResult())), output);
  }

  private static TaskOutcome report(StageLog stage, String step, TaskOutcome outcome) {
    if (outcome.error() != null) {
      stage.error(summary(step, outcome) + ": " + outcome.error());
    } else {
      stage.info(summary(step, outcome));
    }
    return outcome;
  }

  /** The failure, masked, as the stage's delegate stream and the task's error say it. */
  private static TaskFailedException failure(StageLog stage, String step, Masker masker, TaskFailedException e) {
    String message = masker.apply(e.getMessage());
    stage.error("Step " + step + " failed: " + message);
    return new TaskFailedException(message);
  }

  /** "Step apply SUCCEEDED in 2310 ms, 18 log line(s)", for the stage's delegate stream. */
  private static String summary(String step, TaskOutcome outcome) {
    if (outcome.output() == null) {
      return "Step " + step + " " + outcome.status();
    }
    StepOutput output = Json.convert(outcome.output(), StepOutput.class);
    return "Step " + step + " " + output.status() + " in " + output.durationMillis() + " ms, " + output.logLines()
        + " log line(s)" + (output.undeliveredLogLines() > 0
            ? ", " + output.undeliveredLogLines() + " not delivered yet" : "");
  }

  /**
   * Sends the step; the answer completes the returned future on {@code callbacks}. Cancelling the
   * future cancels the call.
   */
  private CompletableFuture<ExecuteStepResponse> call(Frame.TaskAssigned task, ExecuteStepPayload payload,
      Executor callbacks) throws TaskFailedException {
    ExecuteStepRequest request = request(payload);
    var stub = LiteEngineGrpc.newStub(channel(payload.liteEngineAddress())).withExecutor(callbacks);
    String token = credentials.of(payload.podName()).orElse(null);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + token);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    if (task.timeoutSeconds() > 0) {
      stub = stub.withDeadlineAfter(task.timeoutSeconds(), TimeUnit.SECONDS);
    }
    CompletableFuture<ExecuteStepResponse> response = new CompletableFuture<>();
    // The call belongs to its own context, whose cancellation cancels it from any thread.
    Context.CancellableContext context = Context.current().withCancellation();
    response.whenComplete((answer, error) -> context.cancel(
        response.isCancelled() ? new CancellationException("the task was stopped (timeout, abort or shutdown)") : null));
    var sendStub = stub;
    context.run(() -> sendStub.executeStep(request, new StreamObserver<>() {
      private ExecuteStepResponse answer;

      @Override
      public void onNext(ExecuteStepResponse value) {
        answer = value;
      }

      @Override
      public void onError(Throwable t) {
        response.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        if (answer == null) {
          response.completeExceptionally(Status.INTERNAL.withDescription("no response").asRuntimeException());
        } else {
          response.complete(answer);
        }
      }
    }));
    return response;
  }

  private io.grpc.ManagedChannel channel(String address) throws TaskFailedException {
    try {
      return channels.channel(address);
    } catch (IllegalArgumentException e) {
      throw new TaskFailedException(e.getMessage());
    }
  }

  static ExecuteStepRequest request(ExecuteStepPayload payload) throws TaskFailedException {
    ExecuteStepPayload.StepSpec spec = payload.step();
    if (spec == null) {
      throw new TaskFailedException("execute_step payload has no step");
    }
    String kindName = spec.kind() == null ? "" : spec.kind().toLowerCase(Locale.ROOT);
    StepKind kind = KINDS.get(kindName);
    if (kind == null) {
      throw new TaskFailedException("Unknown step kind '" + spec.kind()
          + "'; expected one of " + new java.util.TreeSet<>(KINDS.keySet()));
    }
    if (payload.logStream() == null) {
      throw new TaskFailedException("execute_step payload has no logStream");
    }
    StepRequest.Builder step = StepRequest.newBuilder();
    if (kind == StepKind.STEP_KIND_CLONE) {
      ExecuteStepPayload.GitSpec git = spec.git();
      if (git == null) {
        throw new TaskFailedException("execute_step payload of a clone step has no git source");
      }
      step.setGit(GitSource.newBuilder().setUrl(nz(git.repo())).setRef(nz(git.ref()))
          .setDirectory(nz(git.into())).setDepth(git.depth()).setUsername(nz(git.username()))
          .setPasswordEnv(nz(git.passwordEnv())));
    }
    return ExecuteStepRequest.newBuilder()
        .setStepPort(payload.stepPort())
        .setStep(step
            .setStepId(payload.executionId() + "/" + payload.stageName() + "/" + payload.stepName())
            .setKind(kind)
            .setChangelog(nz(spec.changelog()))
            .setSearchPath(nz(spec.searchPath()))
            .setDatabase(database(spec))
            .setContexts(nz(spec.contexts()))
            .setLabels(nz(spec.labels()))
            .setTag(nz(spec.tag()))
            .setCount(spec.count())
            .setNextOnly(spec.nextOnly())
            .setFailOnDrift(spec.failOnDrift())
            .setPolicyFile(nz(spec.policyFile()))
            .setRollback(spec.rollback())
            .setApprovedSqlHash(nz(spec.approvedSqlHash()))
            .setRequireReversible(spec.requireReversible())
            .putAllParameters(spec.parameters())
            .setPreTagPrefix(nz(spec.preTagPrefix())))
        .setLogStream(LogStream.newBuilder()
            .setServiceUrl(nz(payload.logStream().serviceUrl()))
            .setKey(nz(payload.logStream().key()))
            .setToken(nz(payload.logStream().token())))
        .build();
  }

  /** The step's target, with the Liquibase table and schema names when the stage sets them. */
  static DatabaseTarget database(ExecuteStepPayload.StepSpec spec) {
    DatabaseTarget.Builder target = DatabaseTarget.newBuilder()
        .setJdbcUrl(nz(spec.jdbcUrl()))
        .setUsername(nz(spec.username()))
        .setPasswordEnv(nz(spec.passwordEnv()));
    ExecuteStepPayload.Tables tables = spec.tables();
    if (tables != null) {
      target.setDatabaseChangelogTableName(nz(tables.databaseChangelogTableName()))
          .setDatabaseChangelogLockTableName(nz(tables.databaseChangelogLockTableName()))
          .setDefaultSchemaName(nz(tables.defaultSchemaName()))
          .setLiquibaseSchemaName(nz(tables.liquibaseSchemaName()));
    }
    return target.build();
  }

  static StepOutput output(ExecuteStepResponse response) {
    StepResult result = response.getResult();
    return new StepOutput(
        statusName(result.getStatus()),
        result.getError().isEmpty() ? null : result.getError(),
        result.getOutputsMap(),
        result.getChangesetsList().stream()
            .map(c -> new StepOutput.ChangeSet(c.getId(), c.getAuthor(), c.getFile(), c.getState(),
                c.getDurationMillis(), c.getStatements()))
            .toList(),
        result.getDurationMillis(),
        response.getLogLines(),
        response.getUndeliveredLogLines());
  }

  /** The output with its error and output values masked; identifiers and counts pass unchanged. */
  static StepOutput masked(StepOutput output, Masker masker) {
    if (masker.isEmpty()) {
      return output;
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    output.outputs().forEach((name, value) -> outputs.put(name, masker.apply(value)));
    return new StepOutput(output.status(), masker.apply(output.error()), outputs, output.changesets(),
        output.durationMillis(), output.logLines(), output.undeliveredLogLines());
  }

  private static String statusName(StepStatus status) {
    String name = status.name();
    return name.startsWith("STEP_STATUS_") ? name.substring("STEP_STATUS_".length()) : name;
  }

  private static String errorOf(StepResult result) {
    return result.getError().isEmpty()
        ? "Step ended with status " + statusName(result.getStatus())
        : result.getError();
  }

  private static String describe(String address, Status status) {
    String reason = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      reason = reason + " (" + status.getCause().getMessage() + ")";
    }
    switch (status.getCode()) {
      case UNAVAILABLE:
        return "Lite engine at " + address + " is unreachable: " + reason;
      case CANCELLED:
        return "Call to the lite engine at " + address + " was cancelled: " + reason;
      case INVALID_ARGUMENT:
      case PERMISSION_DENIED:
        return "Lite engine at " + address + " rejected the step: " + reason;
      case UNAUTHENTICATED:
        return "Lite engine at " + address + " refused this delegate's credential (" + reason + "); only the"
            + " delegate instance that started a pod may call it";
      default:
        return "Lite engine at " + address + " failed (" + status.getCode() + "): " + reason;
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
