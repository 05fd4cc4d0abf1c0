package io.dbops.agent.runtime.local;

import io.dbops.support.WarmStart;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The warm pod processes of {@link TestPodMain}: follows the warm-start contract ({@link
 * WarmStart#serveBindings}) with a stand-in server per binding that prints what the binding gave it
 * (the secret in several forms, its SHA-256, the pod token's SHA-256, {@code DBOPS_MASK_ENV},
 * {@code PLAIN}, its pid) and serves health checks on the bound port. A binding whose {@code
 * TEST_WARM_BIND} is {@code exit} ends the process (a warm pod that fails its binding).
 */
final class WarmStandIn {
  private WarmStandIn() {}

  static void main(String role) throws Exception {
    String name = role.equals("lite-engine") ? "lite engine" : "step runtime";
    PrintStream out = System.out;
    WarmStart.serveBindings(name, System.getenv(), System.in, out, () -> out.println("WARM_PID="
        + ProcessHandle.current().pid()), env -> serve(role, env, out), new WarmStart.Bindings());
  }

  private static AutoCloseable serve(String role, Map<String, String> env, PrintStream out) throws Exception {
    if ("exit".equals(env.get("TEST_WARM_BIND"))) {
      out.println("binding refused on purpose");
      out.flush();
      System.exit(3);
    }
    String secret = env.get("DBOPS_DB_PASSWORD");
    String prefix = role.equals("lite-engine") ? "LITE_ENGINE_" : "";
    out.println(prefix + "PID=" + ProcessHandle.current().pid());
    out.println(prefix + "SHA256=" + TestPodMain.sha256(secret));
    out.println(prefix + "TOKEN_SHA256=" + TestPodMain.sha256(env.get("DBOPS_POD_TOKEN")));
    out.println(prefix + "MASK_ENV=" + env.get("DBOPS_MASK_ENV"));
    out.println(prefix + "PLAIN=" + env.get("PLAIN"));
    if (secret != null) {
      out.println(prefix + "DBOPS_DB_PASSWORD=" + secret);
      out.println(prefix + "BASE64=" + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
      out.println(prefix + "URL=" + URLEncoder.encode(secret, StandardCharsets.UTF_8));
    }
    String port = role.equals("lite-engine") ? env.get("DBOPS_LITE_ENGINE_PORT") : env.get("DBOPS_STEP_PORT");
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    Server server = NettyServerBuilder.forPort(Integer.parseInt(port)).addService(health.getHealthService()).build()
        .start();
    out.println("test " + role + " listening on port " + server.getPort());
    out.flush();
    return () -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
