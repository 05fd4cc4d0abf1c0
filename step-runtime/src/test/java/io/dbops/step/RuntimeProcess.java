package io.dbops.step;

import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.support.NamedThreadFactory;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code io.dbops.step.StepRuntimeMain} in its own JVM (port 0), so a test can kill -9 it. Steps
 * run on it asynchronously; their events are collected as they arrive.
 */
final class RuntimeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("dbops step runtime listening on port (\\d+)");

  private final Process process;
  private final ExecutorService threads = Executors.newCachedThreadPool(new NamedThreadFactory("runtime-process", true));
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final List<String> output = new CopyOnWriteArrayList<>();
  private ManagedChannel channel;

  RuntimeProcess(Map<String, String> environment) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss1m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "io.dbops.step.StepRuntimeMain");
    builder.environment().putAll(environment);
    builder.environment().put("DBOPS_STEP_PORT", "0");
    builder.environment().putIfAbsent(io.dbops.support.PodCredential.ENV, StepHarness.POD_TOKEN);
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    process = builder.start();
    threads.execute(() -> {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          output.add(line);
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("runtime exited before listening: " + output));
    });
    int p = port.get(30, TimeUnit.SECONDS);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build();
  }

  /** Starts a step; events land in the returned list as they arrive. */
  List<StepEvent> executeAsync(StepRequest request) {
    List<StepEvent> events = new CopyOnWriteArrayList<>();
    threads.execute(() -> {
      try {
        StepRunnerGrpc.newBlockingStub(channel).withInterceptors(StepHarness.CREDENTIAL.clientInterceptor()).withDeadlineAfter(120, TimeUnit.SECONDS).execute(request)
            .forEachRemaining(events::add);
      } catch (RuntimeException e) {
        // The process was killed: the stream ends with UNAVAILABLE.
      }
    });
    return events;
  }

  static boolean logged(List<StepEvent> events, String prefix) {
    return events.stream().anyMatch(e -> e.hasLog() && e.getLog().getText().startsWith(prefix));
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    kill();
    threads.shutdownNow();
  }
}
