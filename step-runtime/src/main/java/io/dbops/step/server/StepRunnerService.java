package io.dbops.step.server;

import io.dbops.support.LogKeys;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.proto.v1.StopStepResponse;
import io.dbops.step.git.CloneRunner;
import io.dbops.step.liquibase.LiquibaseStepRunner;
import io.dbops.step.liquibase.StepCommand;
import io.dbops.step.liquibase.StepControl;
import io.dbops.step.liquibase.StepOutcome;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The StepRunner gRPC service. Execute validates the request on the gRPC thread, then runs the step
 * on the injected executor (never on a gRPC thread) and streams its lines as they happen. A
 * cancelled call (the caller's deadline, or the caller going away) stops the step, best effort.
 *
 * <p>Thread-safe. Does not own the executor or the runner.
 */
public final class StepRunnerService extends StepRunnerGrpc.StepRunnerImplBase {
  private static final Logger log = LoggerFactory.getLogger(StepRunnerService.class);

  private final LiquibaseStepRunner runner;
  private final CloneRunner cloner;
  private final Executor executor;
  private final Clock clock;
  private final Map<String, StepControl> running = new ConcurrentHashMap<>();

  /** @param cloner runs CLONE steps; every other kind goes to {@code runner} */
  public StepRunnerService(LiquibaseStepRunner runner, CloneRunner cloner, Executor executor, Clock clock) {
    this.runner = runner;
    this.cloner = cloner;
    this.executor = executor;
    this.clock = clock;
  }

  @Override
  public void execute(StepRequest request, StreamObserver<StepEvent> responseObserver) {
    List<String> problems = RequestMapper.problems(request);
    if (!problems.isEmpty()) {
      responseObserver.onError(Status.INVALID_ARGUMENT
          .withDescription("Invalid StepRequest: " + String.join("; ", problems)).asRuntimeException());
      return;
    }
    StepCommand command = RequestMapper.toCommand(request);
    StepControl control = new StepControl();
    if (running.putIfAbsent(command.stepId(), control) != null) {
      responseObserver.onError(Status.ALREADY_EXISTS
          .withDescription("Step " + command.stepId() + " is already running in this container")
          .asRuntimeException());
      return;
    }
    ServerCallStreamObserver<StepEvent> call = (ServerCallStreamObserver<StepEvent>) responseObserver;
    call.setOnCancelHandler(() -> {
      if (control.stop("the caller cancelled the call or its deadline expired")) {
        log.warn("Step {} cancelled by the caller; stopping it", command.stepId());
      }
    });
    EventSink sink = new EventSink(call, clock);
    try {
      executor.execute(() -> runStep(command, sink, control));
    } catch (RejectedExecutionException e) {
      running.remove(command.stepId(), control);
      sink.fail(Status.RESOURCE_EXHAUSTED.withDescription("Step runtime is busy: a step is running and the"
          + " queue is full (DBOPS_STEP_QUEUE_CAPACITY). Retry when the current step ends."));
    }
  }

  @Override
  public void stop(StopStepRequest request, StreamObserver<StopStepResponse> responseObserver) {
    StepControl control = running.get(request.getStepId());
    boolean stopped = control != null && control.stop("Stop was requested");
    if (stopped) {
      log.info("Step {}: stop requested", request.getStepId());
    }
    responseObserver.onNext(StopStepResponse.newBuilder().setStopped(stopped).build());
    responseObserver.onCompleted();
  }

  /** Asks every running step to stop; used when the container shuts down. */
  public void stopAll(String why) {
    running.values().forEach(c -> c.stop(why));
  }

  /** Number of steps running or queued. */
  public int active() {
    return running.size();
  }

  private void runStep(StepCommand command, EventSink sink, StepControl control) {
    try (MDC.MDCCloseable ignored = MDC.putCloseable(LogKeys.STEP_ID, command.stepId())) {
      log.info("Step {} started: {}", command.stepId(), command.kind());
      StepOutcome outcome = command.kind() == StepCommand.Kind.CLONE ? cloner.run(command, sink, control)
          : runner.run(command, sink, control);
      boolean delivered = sink.finish(outcome);
      // The daemon log's one report of a failure: the step's own (masked) error.
      log.info("Step {} ended {} in {} ms{}{}", command.stepId(), outcome.status(), outcome.durationMillis(),
          outcome.error() == null || outcome.error().isEmpty() ? "" : ": " + outcome.error(),
          delivered ? "" : " (the caller had gone; result not delivered)");
    } catch (RuntimeException | Error e) {
      log.error("Step {} crashed", command.stepId(), e);
      sink.fail(Status.INTERNAL.withDescription("Step runtime error while running step " + command.stepId()
          + ": " + e.getClass().getSimpleName() + ". See the step container's log."));
    } finally {
      running.remove(command.stepId(), control);
    }
  }
}
