package io.dbops.liteengine.dispatch;

import io.dbops.logship.LogShipper;
import io.dbops.logship.Progress;
import io.dbops.support.GrpcChannels;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LogLevel;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.proto.v1.StepStatus;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.proto.v1.StopStepResponse;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step on its step container and ships the step's output, and its progress ("changeset
 * n of m"), to the log service.
 *
 * <p>Thread-safe: each {@link #execute} runs on the calling (gRPC) thread with its own {@link
 * LogShipper} from {@link LogShipping}. The {@link GrpcChannels} and {@link LogShipping} are owned
 * by the caller.
 */
public final class StepDispatcher {
  private static final Logger log = LoggerFactory.getLogger(StepDispatcher.class);
  private static final String STEP_HOST = "127.0.0.1";

  private final GrpcChannels channels;
  private final LogShipping shipping;
  private final Duration logFlushDeadline;
  private final ResultMasker resultMasker;
  private final WorkspaceMapping workspace;
  private final ClientInterceptor credential;
  /** step_id → host:port of the container running it, for StopStep. */
  private final Map<String, Target> running = new ConcurrentHashMap<>();

  /**
   * @param logFlushDeadline how long a finished step waits for its lines to be delivered
   * @param resultMasker masks the result returned to the caller (the shipper's filter masks lines)
   * @param workspace maps the request's absolute paths into the pod's workspace
   * @param credential adds the pod credential to every call to a step container
   */
  public StepDispatcher(GrpcChannels channels, LogShipping shipping, Duration logFlushDeadline,
      ResultMasker resultMasker, WorkspaceMapping workspace, ClientInterceptor credential) {
    this.channels = channels;
    this.shipping = shipping;
    this.logFlushDeadline = logFlushDeadline;
    this.resultMasker = resultMasker;
    this.workspace = workspace;
    this.credential = credential;
  }

  /**
   * Runs the step; never throws for a step or container failure: those become a FAILED result.
   *
   * @param deadline the caller's deadline, passed on to the step container; null for none
   */
  public ExecuteStepResponse execute(ExecuteStepRequest request, Deadline deadline) {
    // The caller checked the forwarding rules: the step container is on loopback, whatever name it used.
    Target target = new Target(STEP_HOST, request.getStepPort());
    var stream = request.getLogStream();
    LogStreamRef ref = new LogStreamRef(stream.getServiceUrl(), stream.getKey(), stream.getToken());
    String stepId = request.getStep().getStepId();
    log.info("Running step {} on step container {}, output to log stream {}", stepId, target, ref.key());

    LogShipper shipper = shipping.open(ref);
    ProgressTracker progress = new ProgressTracker();
    long received = 0;
    StepResult result = null;
    boolean engineFailure = false;
    running.put(stepId, target);
    try {
      StepRunnerGrpc.StepRunnerBlockingStub stub =
          StepRunnerGrpc.newBlockingStub(channels.channel(target.host(), target.port())).withInterceptors(credential);
      if (deadline != null) {
        stub = stub.withDeadline(deadline);
      }
      Iterator<StepEvent> events = stub.execute(workspace.map(request.getStep()));
      while (events.hasNext()) {
        StepEvent event = events.next();
        if (event.hasLog()) {
          var line = event.getLog();
          // Progress first, so it travels with the batch that carries the line starting the changeset.
          Progress p = progress.onLine(line.getText());
          if (p != null) {
            shipper.progress(p);
          }
          // The shipper's line filter masks the text before it leaves the process.
          shipper.append(levelOf(line.getLevel()), line.getText(), line.getTimestampMillis());
          received++;
        } else if (event.hasProgress()) {
          shipper.progress(progress.onEvent(event.getProgress()));
        } else if (event.hasResult()) {
          result = event.getResult();
        }
      }
      if (result == null) {
        engineFailure = true;
        result = failed("Step container at " + target + " ended the step without a result");
      }
    } catch (StatusRuntimeException e) {
      engineFailure = true;
      result = failed(describe(target, e.getStatus()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      engineFailure = true;
      result = failed("Lite engine was interrupted while step " + stepId + " ran on " + target);
    } catch (RuntimeException e) {
      log.error("Step {} on {} failed unexpectedly", stepId, target, e);
      engineFailure = true;
      result = failed("Lite engine failed while running the step on " + target + ": " + e);
    } finally {
      running.remove(stepId, target);
    }
    if (engineFailure) {
      // The failure is the lite engine's finding, not the step's: tell the reader of the step log.
      appendQuietly(shipper, result.getError());
    }
    long undelivered = shipping.finish(shipper, logFlushDeadline);
    if (undelivered > 0) {
      log.warn("{} lines of log stream {} not delivered within {} s; {}", undelivered, ref.key(),
          logFlushDeadline.toSeconds(), shipper.failure() != null ? "they cannot be: " + shipper.failure()
              : "still delivering in the background");
    }
    log.info("Step {} finished: {} ({} log lines)", stepId, result.getStatus(), received);
    return ExecuteStepResponse.newBuilder()
        .setResult(resultMasker.mask(result))
        .setLogLines(received)
        .setUndeliveredLogLines(undelivered)
        .build();
  }

  /** Forwards a stop to the container running {@code step_id}; stopped = false when none is. */
  public StopStepResponse stop(StopStepRequest request, Deadline deadline) {
    Target target = running.get(request.getStepId());
    if (target == null) {
      return StopStepResponse.newBuilder().setStopped(false).build();
    }
    var stub = StepRunnerGrpc.newBlockingStub(channels.channel(target.host(), target.port()))
        .withInterceptors(credential);
    stub = deadline != null ? stub.withDeadline(deadline) : stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    return stub.stop(request);
  }

  private static String describe(Target target, Status status) {
    String reason = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      reason = reason + " (" + status.getCause().getMessage() + ")";
    }
    switch (status.getCode()) {
      case UNAVAILABLE:
        return "Step container at " + target + " is unreachable: " + reason;
      case DEADLINE_EXCEEDED:
        return "Step on " + target + " did not finish before its deadline: " + reason;
      case CANCELLED:
        return "Step on " + target + " was cancelled: " + reason;
      case INVALID_ARGUMENT:
      case FAILED_PRECONDITION:
        return "Step container at " + target + " rejected the step: " + reason;
      default:
        return "Step container at " + target + " failed (" + status.getCode() + "): " + reason;
    }
  }

  private static void appendQuietly(LogShipper shipper, String text) {
    try {
      shipper.append("ERROR", text, System.currentTimeMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static StepResult failed(String error) {
    return StepResult.newBuilder().setStatus(StepStatus.STEP_STATUS_FAILED).setError(error).build();
  }

  private static String levelOf(LogLevel level) {
    switch (level) {
      case LOG_LEVEL_DEBUG:
        return "DEBUG";
      case LOG_LEVEL_WARN:
        return "WARN";
      case LOG_LEVEL_ERROR:
        return "ERROR";
      default:
        return "INFO";
    }
  }

  private record Target(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }
}
