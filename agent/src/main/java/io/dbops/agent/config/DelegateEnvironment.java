package io.dbops.agent.config;

import io.dbops.agent.policy.Allowlists;
import io.dbops.config.EnvReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link DelegateConfig} from the delegate's environment: one {@link EnvReader} collects
 * every problem, then the config's own checks add what the reader could not know (files, names),
 * and all of them are reported at once.
 */
final class DelegateEnvironment {
  private DelegateEnvironment() {}

  /**
   * Reads DBOPS_SERVER_URL, DBOPS_TOKEN, DBOPS_DELEGATE_NAME, DBOPS_TAGS, DBOPS_CAPACITY,
   * DBOPS_RUNTIME, DBOPS_STATE_DIR, DBOPS_DRAIN_SECONDS, DBOPS_TRANSPORT, DBOPS_ALLOW_INSECURE,
   * DBOPS_CA_BUNDLE, DBOPS_CLIENT_CERT, DBOPS_CLIENT_KEY, DBOPS_METRICS_PORT, DBOPS_METRICS_BIND,
   * DBOPS_RECONNECT_MAX_SECONDS, DBOPS_LOCAL_MAX_PODS, DBOPS_LOCAL_WARM_PODS,
   * DBOPS_LOCAL_POD_REUSE_SECONDS, DBOPS_POD_JAVA_OPTS, the allowlists
   * ({@link Allowlists#read}) and for the kubernetes runtime DBOPS_KUBERNETES_NAMESPACE,
   * DBOPS_POD_IMAGE and DBOPS_KUBERNETES_SERVICE_ACCOUNT. The pod process command is left empty:
   * set it with {@code toBuilder().podProcessCommand(...)}.
   */
  static DelegateConfig read(Map<String, String> env, Path ownNamespaceFile) {
    EnvReader read = new EnvReader(env);
    URI serverUrl = null;
    if (read.isSet("DBOPS_SERVER_URL")) {
      try {
        serverUrl = new URI(read.string("DBOPS_SERVER_URL"));
      } catch (java.net.URISyntaxException e) {
        read.problem("DBOPS_SERVER_URL is not a valid URL: " + e.getMessage());
      }
    } else {
      read.problem("DBOPS_SERVER_URL is required: the control plane's URL, for example https://dbops.example.com");
    }
    if (read.raw("DBOPS_TOKEN") == null || read.string("DBOPS_TOKEN") == null) {
      read.problem("DBOPS_TOKEN is required: the delegate token issued by the control plane");
    }
    String namespace = read.string("DBOPS_KUBERNETES_NAMESPACE");
    KubernetesSettings kubernetes = new KubernetesSettings(namespace != null ? namespace : KubernetesSettings.ownNamespace(ownNamespaceFile),
        read.string("DBOPS_POD_IMAGE"), read.string("DBOPS_KUBERNETES_SERVICE_ACCOUNT"),
        KubernetesSettings.stepSettings(env));
    DelegateConfig.Builder b = DelegateConfig.builder()
        .token(read.string("DBOPS_TOKEN"))
        .name(read.string("DBOPS_DELEGATE_NAME", "local"))
        .tags(read.list("DBOPS_TAGS"))
        .capacity(read.integer("DBOPS_CAPACITY", DelegateConfig.DEFAULT_CAPACITY, 1, 100_000))
        .runtime(read.oneOf("DBOPS_RUNTIME", DelegateConfig.RUNTIME_LOCAL, DelegateConfig.RUNTIMES))
        .stateDir(read.path("DBOPS_STATE_DIR", null))
        .transport(read.oneOf("DBOPS_TRANSPORT", DelegateConfig.TRANSPORT_WEBSOCKET, DelegateConfig.TRANSPORTS))
        .drainGrace(read.seconds("DBOPS_DRAIN_SECONDS", Duration.ofSeconds(DelegateConfig.DEFAULT_DRAIN_SECONDS), 0))
        .maxBackoff(read.seconds("DBOPS_RECONNECT_MAX_SECONDS", DelegateConfig.DEFAULT_MAX_BACKOFF, 1))
        .tls(new DelegateConfig.Tls(read.bool("DBOPS_ALLOW_INSECURE", false), read.path("DBOPS_CA_BUNDLE", null),
            read.path("DBOPS_CLIENT_CERT", null), read.path("DBOPS_CLIENT_KEY", null)))
        .endpoints(new DelegateConfig.Endpoints(read.string("DBOPS_METRICS_BIND"),
            read.integer("DBOPS_METRICS_PORT", DelegateConfig.DEFAULT_METRICS_PORT, 0, 65535)))
        .local(new LocalSettings(null, read.integer("DBOPS_LOCAL_MAX_PODS", LocalSettings.DEFAULT_MAX_PODS, 1, 1000),
            read.string("DBOPS_POD_JAVA_OPTS"), KubernetesSettings.stepSettings(env),
            read.integer("DBOPS_LOCAL_WARM_PODS", LocalSettings.DEFAULT_WARM_PODS, 0, 16),
            read.seconds("DBOPS_LOCAL_POD_REUSE_SECONDS", LocalSettings.DEFAULT_POD_REUSE, 0)))
        .kubernetes(kubernetes)
        .allowlists(Allowlists.read(read));
    if (serverUrl != null) {
      b.serverUrl(serverUrl);
      DelegateConfig.Tls tls = b.tls;
      List<String> urlProblems = DelegateConfig.problems(serverUrl, "t", "n", List.of(), 1, DelegateConfig.RUNTIME_LOCAL, DelegateConfig.TRANSPORT_WEBSOCKET,
          new DelegateConfig.Tls(tls.allowInsecure(), null, null, null), DelegateConfig.Endpoints.DEFAULT);
      urlProblems.forEach(read::problem);
    }
    // the record's own checks of what the reader could not know (files, names), then every problem at once
    b.tls.problems().forEach(read::problem);
    kubernetes.problems().forEach(read::problem);
    read.throwIfProblems("delegate");
    return b.build();
  }
}
