package io.dbops.step.server;

import io.dbops.proto.v1.ChangeSetProgress;
import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.LogLevel;
import io.dbops.proto.v1.LogLine;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepResult;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.liquibase.ChangeSetOutcome;
import io.dbops.step.liquibase.StepLog;
import io.dbops.step.liquibase.StepOutcome;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one step's events down its Execute stream as they happen. Thread-safe (guarded by this);
 * events after the caller cancelled are dropped.
 */
final class EventSink implements StepLog {
  private static final Logger log = LoggerFactory.getLogger(EventSink.class);

  private final ServerCallStreamObserver<StepEvent> call;
  private final Clock clock;
  private boolean finished; // guarded by this

  EventSink(ServerCallStreamObserver<StepEvent> call, Clock clock) {
    this.call = call;
    this.clock = clock;
  }

  @Override
  public synchronized void line(Level level, String text) {
    if (finished || call.isCancelled()) {
      return;
    }
    LogLine line = LogLine.newBuilder()
        .setTimestampMillis(clock.millis())
        .setLevel(level(level))
        .setText(text)
        .build();
    try {
      call.onNext(StepEvent.newBuilder().setLog(line).build());
    } catch (RuntimeException e) {
      log.debug("Dropping a log line: the stream is gone", e);
    }
  }

  @Override
  public synchronized void progress(int started, int total, String changeset) {
    if (finished || call.isCancelled()) {
      return;
    }
    ChangeSetProgress progress = ChangeSetProgress.newBuilder()
        .setStarted(started)
        .setTotal(total)
        .setChangeset(changeset)
        .build();
    try {
      call.onNext(StepEvent.newBuilder().setProgress(progress).build());
    } catch (RuntimeException e) {
      log.debug("Dropping a progress event: the stream is gone", e);
    }
  }

  /** Sends the result and completes the stream; false when the caller had already gone. */
  synchronized boolean finish(StepOutcome outcome) {
    if (finished) {
      return false;
    }
    finished = true;
    if (call.isCancelled()) {
      return false;
    }
    try {
      call.onNext(StepEvent.newBuilder().setResult(result(outcome)).build());
      call.onCompleted();
      return true;
    } catch (RuntimeException e) {
      log.debug("Cannot send the result: the stream is gone", e);
      return false;
    }
  }

  /** Ends the stream with a gRPC error (the container failed, not the step). */
  synchronized void fail(io.grpc.Status status) {
    if (finished) {
      return;
    }
    finished = true;
    if (!call.isCancelled()) {
      try {
        call.onError(status.asRuntimeException());
      } catch (RuntimeException e) {
        log.debug("Cannot send the error: the stream is gone", e);
      }
    }
  }

  static StepResult result(StepOutcome outcome) {
    StepResult.Builder b = StepResult.newBuilder()
        .setStatus(switch (outcome.status()) {
          case SUCCEEDED -> StepStatus.STEP_STATUS_SUCCEEDED;
          case FAILED -> StepStatus.STEP_STATUS_FAILED;
          case ABORTED -> StepStatus.STEP_STATUS_ABORTED;
        })
        .setError(outcome.error())
        .putAllOutputs(outcome.outputs())
        .setDurationMillis(outcome.durationMillis());
    for (ChangeSetOutcome c : outcome.changesets()) {
      b.addChangesets(ChangeSetRecord.newBuilder()
          .setId(c.id())
          .setAuthor(c.author())
          .setFile(c.file())
          .setState(c.state())
          .setDurationMillis(c.durationMillis())
          .setStatements(c.statements()));
    }
    return b.build();
  }

  private static LogLevel level(Level level) {
    return switch (level) {
      case DEBUG -> LogLevel.LOG_LEVEL_DEBUG;
      case INFO -> LogLevel.LOG_LEVEL_INFO;
      case WARN -> LogLevel.LOG_LEVEL_WARN;
      case ERROR -> LogLevel.LOG_LEVEL_ERROR;
    };
  }
}
