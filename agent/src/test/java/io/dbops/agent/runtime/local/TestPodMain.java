package io.dbops.agent.runtime.local;

import io.dbops.liteengine.LiteEngineMain;
import io.dbops.support.WarmStart;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pod process command of the tests: the real lite engine, and a stand-in step container that
 * serves health checks and prints on stdout (its pod log file) its command line, its secret
 * variable in several forms (plain, base64, URL-encoded, split across two writes) as a step that
 * leaks it would, and a SHA-256 of it: a fact that proves the value arrived without showing it.
 * The lite engine role prints the SHA-256 of its copy of the variable first. This process does
 * not mask its own output: the local runtime's pump must.
 *
 * <p>Started warm ({@code DBOPS_WARM_START=stdin}), both roles are stand-ins ({@link WarmStandIn}):
 * they print their warm line, then serve each binding with a health server on the bound port,
 * printing the same facts about the binding's variables plus their pid.
 */
public final class TestPodMain {
  private TestPodMain() {}

  public static void main(String[] args) throws Exception {
    String role = args[args.length - 1];
    if (WarmStart.requested(System.getenv())) {
      WarmStandIn.main(role);
      return;
    }
    String secret = System.getenv("DBOPS_DB_PASSWORD");
    if (role.equals("lite-engine")) {
      System.out.println("LITE_ENGINE_SHA256=" + sha256(secret));
      System.out.flush();
      LiteEngineMain.main(new String[0]);
      return;
    }
    if (!role.equals("step-runtime")) {
      System.err.println("unknown role " + role);
      System.exit(64);
    }
    String cmdline = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8);
    System.out.println("cmdline=" + cmdline.replace('\0', ' ').trim());
    System.out.println("DBOPS_DB_PASSWORD=" + secret);
    System.out.println("BASE64=" + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    System.out.println("URL=" + URLEncoder.encode(secret, StandardCharsets.UTF_8));
    System.out.print("SPLIT=" + secret.substring(0, 4));
    System.out.flush();
    Thread.sleep(300); // two separate writes reach the pipe
    System.out.println(secret.substring(4));
    System.out.println("SHA256=" + sha256(secret));
    System.out.println("MASK_ENV=" + System.getenv("DBOPS_MASK_ENV"));
    System.out.println("PLAIN=" + System.getenv("PLAIN"));
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    Server server = NettyServerBuilder.forPort(Integer.parseInt(System.getenv("DBOPS_STEP_PORT")))
        .addService(health.getHealthService()).build().start();
    System.out.println("test pod listening on port " + server.getPort());
    System.out.flush();
    server.awaitTermination();
  }

  static String sha256(String value) throws Exception {
    return value == null ? "unset" : HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
  }
}
