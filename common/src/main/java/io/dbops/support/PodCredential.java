package io.dbops.support;

import io.dbops.config.ConfigException;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.ServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * The build pod credential (contract A): a random value the delegate generates for each build pod
 * and hands to the lite engine and every step container as {@value #ENV}. Every gRPC call to those
 * servers carries {@code authorization: Bearer <value>}; the servers refuse any other call but the
 * standard health checks. Immutable; {@link #toString} never shows the value.
 */
public final class PodCredential {
  /** The environment variable that carries the credential. */
  public static final String ENV = "DBOPS_POD_TOKEN";
  /** The status description of a refused call; names the header, never a value. */
  public static final String REFUSAL =
      "missing or wrong pod credential (authorization: Bearer <DBOPS_POD_TOKEN>); only this pod's delegate may call it";

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final byte[] expectedHeader;
  private final String header;

  private PodCredential(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("a pod credential must not be blank");
    }
    this.header = BEARER + token;
    this.expectedHeader = header.getBytes(StandardCharsets.UTF_8);
  }

  /** The credential with the given value (tests and the delegate). */
  public static PodCredential of(String token) {
    return new PodCredential(token);
  }

  /**
   * The credential set in {@value #ENV}.
   *
   * @param component the server being configured, for the message ("lite engine", "step runtime")
   * @throws ConfigException naming {@value #ENV} when it is unset or blank
   */
  public static PodCredential fromEnvironment(Map<String, String> env, String component) {
    String token = env.get(ENV);
    if (token == null || token.isBlank()) {
      throw new ConfigException(component, ENV + " must be set: the " + component
          + " accepts calls only from the delegate holding this pod's credential");
    }
    return new PodCredential(token);
  }

  /**
   * Refuses every call but the standard health service's unless it carries this credential:
   * {@code UNAUTHENTICATED} with {@link #REFUSAL}. Install it on the whole server.
   */
  public ServerInterceptor serverInterceptor() {
    return new PodCredentialInterceptor(this);
  }

  /** Adds {@code authorization: Bearer <credential>} to every call of a client stub. */
  public ClientInterceptor clientInterceptor() {
    String value = header;
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(AUTHORIZATION, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Whether {@code presented} (an authorization header value, may be null) is this credential, in constant time. */
  boolean matches(String presented) {
    byte[] given = presented == null ? new byte[0] : presented.getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expectedHeader, given);
  }

  @Override
  public String toString() {
    return "PodCredential[not shown]";
  }
}
