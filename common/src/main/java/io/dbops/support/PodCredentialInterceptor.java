package io.dbops.support;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Checks the pod credential of every call before it reaches a service. The standard health
 * service ({@code grpc.health.v1.Health}) stays open: kubelet probes and the local runtime's
 * readiness check carry no credential, and it says nothing but SERVING or NOT_SERVING.
 */
final class PodCredentialInterceptor implements ServerInterceptor {
  static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  private final PodCredential credential;

  PodCredentialInterceptor(PodCredential credential) {
    this.credential = credential;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (HEALTH_SERVICE.equals(service) || credential.matches(headers.get(PodCredential.AUTHORIZATION))) {
      return next.startCall(call, headers);
    }
    call.close(Status.UNAUTHENTICATED.withDescription(PodCredential.REFUSAL), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
