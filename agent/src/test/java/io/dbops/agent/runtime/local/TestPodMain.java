package io.dbops.agent.runtime.local;

import io.dbops.liteengine.LiteEngineMain;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pod process command of the tests: the real lite engine, and, until the step runtime module
 * is available here, a stand-in step container that serves health checks and reports what it
 * received (its secret variable and its command line) on stdout, i.e. in its pod log file.
 */
public final class TestPodMain {
  private TestPodMain() {}

  public static void main(String[] args) throws Exception {
    String role = args[args.length - 1];
    if (role.equals("lite-engine")) {
      LiteEngineMain.main(new String[0]);
      return;
    }
    if (!role.equals("step-runtime")) {
      System.err.println("unknown role " + role);
      System.exit(64);
    }
    String cmdline = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8);
    System.out.println("cmdline=" + cmdline.replace('\0', ' ').trim());
    System.out.println("DBOPS_DB_PASSWORD=" + System.getenv("DBOPS_DB_PASSWORD"));
    System.out.println("PLAIN=" + System.getenv("PLAIN"));
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    Server server = NettyServerBuilder.forPort(Integer.parseInt(System.getenv("DBOPS_STEP_PORT")))
        .addService(health.getHealthService()).build().start();
    System.out.flush();
    server.awaitTermination();
  }
}
