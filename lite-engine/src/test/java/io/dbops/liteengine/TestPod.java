package io.dbops.liteengine;

import io.dbops.liteengine.config.ForwardingRules;
import io.dbops.liteengine.config.LiteEngineConfig;
import io.dbops.support.PodCredential;
import io.grpc.ClientInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The pod settings of the tests: one credential, and configurations that allow the tests' step containers. */
final class TestPod {
  static final String TOKEN = "test-pod-credential-0123456789abcdef";
  static final PodCredential CREDENTIAL = PodCredential.of(TOKEN);

  private TestPod() {}

  /** Adds the pod credential to a client stub's calls. */
  static ClientInterceptor credential() {
    return CREDENTIAL.clientInterceptor();
  }

  /** A lite engine on a free port that may forward to {@code stepPorts} and ship to {@code logServiceUrl}. */
  static LiteEngineConfig config(Path spoolDir, String logServiceUrl, int... stepPorts) {
    return LiteEngineConfig.builder().port(0).logSpoolDir(spoolDir).credential(CREDENTIAL)
        .forwarding(new ForwardingRules(IntStream.of(stepPorts).boxed().collect(Collectors.toSet()), logServiceUrl))
        .build();
  }

  /** The environment variables of a lite engine process with those rules. */
  static Map<String, String> env(String logServiceUrl, int... stepPorts) {
    return Map.of(PodCredential.ENV, TOKEN, ForwardingRules.LOG_SERVICE_URL, logServiceUrl,
        ForwardingRules.STEP_PORTS, IntStream.of(stepPorts).mapToObj(Integer::toString).collect(Collectors.joining(",")));
  }

  /** A port nothing listens on at the moment. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<Integer> ports(int... ports) {
    return IntStream.of(ports).boxed().collect(Collectors.toSet());
  }
}
