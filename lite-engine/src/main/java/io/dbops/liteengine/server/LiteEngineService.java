package io.dbops.liteengine.server;

import io.dbops.liteengine.config.ForwardingRules;
import io.dbops.liteengine.dispatch.StepDispatcher;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.ExecuteStepResponse;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.StopStepRequest;
import io.dbops.proto.v1.StopStepResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dbops.v1.LiteEngine} gRPC service: validates requests and hands them to the {@link
 * StepDispatcher}. Requests are never logged: their log stream carries a token.
 */
public final class LiteEngineService extends LiteEngineGrpc.LiteEngineImplBase {
  private static final Logger log = LoggerFactory.getLogger(LiteEngineService.class);

  private final StepDispatcher dispatcher;
  private final ForwardingRules rules;

  /** @param rules what a request may make the lite engine call; checked before anything is dialled */
  public LiteEngineService(StepDispatcher dispatcher, ForwardingRules rules) {
    this.dispatcher = dispatcher;
    this.rules = rules;
  }

  @Override
  public void executeStep(ExecuteStepRequest request, StreamObserver<ExecuteStepResponse> responses) {
    List<String> problems = problemsOf(request);
    if (!problems.isEmpty()) {
      responses.onError(
          Status.INVALID_ARGUMENT.withDescription("Invalid ExecuteStep request: " + String.join("; ", problems))
              .asRuntimeException());
      return;
    }
    String refusal = refusalOf(request);
    if (refusal != null) {
      log.warn("Refused step {}: {}", request.getStep().getStepId(), refusal);
      responses.onError(Status.PERMISSION_DENIED.withDescription(refusal).asRuntimeException());
      return;
    }
    ExecuteStepResponse response = dispatcher.execute(request, Context.current().getDeadline());
    try {
      responses.onNext(response);
      responses.onCompleted();
    } catch (StatusRuntimeException e) {
      // The caller went away (cancelled or its deadline passed); nobody is left to tell.
      log.warn("Could not return the result of step {}: {}", request.getStep().getStepId(), e.getStatus());
    }
  }

  @Override
  public void stopStep(StopStepRequest request, StreamObserver<StopStepResponse> responses) {
    try {
      responses.onNext(dispatcher.stop(request, Context.current().getDeadline()));
      responses.onCompleted();
    } catch (StatusRuntimeException e) {
      responses.onError(
          Status.UNAVAILABLE.withDescription(
                  "Could not stop step " + request.getStepId() + ": " + e.getStatus().getDescription())
              .asRuntimeException());
    }
  }

  private String refusalOf(ExecuteStepRequest request) {
    String step = rules.stepRefusal(request.getStepHost(), request.getStepPort());
    return step != null ? step : rules.logRefusal(request.getLogStream().getServiceUrl());
  }

  private static List<String> problemsOf(ExecuteStepRequest request) {
    List<String> problems = new ArrayList<>();
    if (request.getStepPort() < 1 || request.getStepPort() > 65535) {
      problems.add("step_port must be between 1 and 65535, got " + request.getStepPort());
    }
    if (request.getStep().getStepId().isBlank()) {
      problems.add("step.step_id is required");
    }
    var stream = request.getLogStream();
    if (HttpUrl.parse(stream.getServiceUrl()) == null) {
      problems.add("log_stream.service_url must be an http(s) URL, got '" + stream.getServiceUrl() + "'");
    }
    if (stream.getKey().isBlank()) {
      problems.add("log_stream.key is required");
    }
    if (stream.getToken().isBlank()) {
      problems.add("log_stream.token is required");
    }
    return problems;
  }
}
