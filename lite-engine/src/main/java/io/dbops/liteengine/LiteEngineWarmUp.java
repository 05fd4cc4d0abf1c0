package io.dbops.liteengine;

import com.sun.net.httpserver.HttpServer;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.StepRequest;
import io.dbops.support.GrpcChannels;
import io.dbops.support.PodCredential;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a warm lite engine does before its first binding: everything that needs no stage. A gRPC
 * server on a loopback port (health, and the pod credential check refusing a call without it) is
 * called through the same channel factory the engine uses for step containers, and the log
 * shipper's HTTP client posts one JSON body to a throwaway HTTP server on loopback. A binding then
 * finds Netty's server and client, the gRPC stubs and OkHttp loaded and run once.
 *
 * <p>It leaves nothing behind that a binding could see: no port (its servers are stopped), no file,
 * no credential; its own threads end (gRPC's shared event loops a second after their last user,
 * OkHttp's idle task thread within a minute). Not thread-safe; run once, before the warm line.
 */
final class LiteEngineWarmUp {
  private static final Logger log = LoggerFactory.getLogger(LiteEngineWarmUp.class);
  private static final MediaType JSON = MediaType.get("application/json");

  private LiteEngineWarmUp() {}

  /** The warm-up of {@link LiteEngineMain}: logs and goes on when a part fails (the binding then starts colder). */
  static void run() {
    long started = System.nanoTime();
    try {
      grpc();
      http();
      log.info("Warmed up in {} ms (gRPC and HTTP on loopback)", (System.nanoTime() - started) / 1_000_000);
    } catch (Exception | LinkageError e) { // a missing optional module must not stop the process
      log.warn("Warm-up incomplete ({}); the first binding will start colder", e.toString());
    }
  }

  private static void grpc() throws IOException, InterruptedException {
    PodCredential credential = PodCredential.of(UUID.randomUUID().toString());
    HealthStatusManager health = new HealthStatusManager();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .intercept(credential.serverInterceptor())
        .addService(health.getHealthService())
        .build()
        .start();
    try (GrpcChannels channels = new GrpcChannels("warm-up")) {
      var channel = channels.channel(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort());
      HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      try { // refused by the credential check before any service: the engine's own path for a stranger
        LiteEngineGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .executeStep(ExecuteStepRequest.newBuilder().setStep(StepRequest.newBuilder().setStepId("warm-up")).build());
      } catch (StatusRuntimeException expected) {
        // UNAUTHENTICATED
      }
    } finally {
      health.enterTerminalState();
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void http() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      byte[] body = "{\"acceptedThrough\":1}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(15)).writeTimeout(Duration.ofSeconds(15)).build();
    try {
      Request request = new Request.Builder()
          .url("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort()
              + "/warm-up")
          .post(RequestBody.create("{\"lines\":[{\"seq\":1,\"text\":\"warm\"}]}", JSON))
          .build();
      try (Response response = http.newCall(request).execute()) {
        response.body().bytes();
      }
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
      server.stop(0);
    }
  }
}
