package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.api.LogPage;
import io.dbops.proto.v1.ExecuteStepRequest;
import io.dbops.proto.v1.LiteEngineGrpc;
import io.dbops.proto.v1.LogStream;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-when test of issue #6: the lite engine (its own JVM) is killed with SIGKILL in the middle of
 * a step while the log service is down and lines are being spooled; a new lite engine on the same
 * spool directory delivers every spooled line, once, in order, after the service is back.
 */
class LiteEngineRestartIT {
  private static final String EXECUTION = "ex-restart";
  private static final String STREAM = "executions/" + EXECUTION + "/dev/apply";
  private static final Pattern LINE = Pattern.compile("line (\\d+)");
  @TempDir Path dataDir;
  @TempDir Path spoolDir;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Process> engines = new CopyOnWriteArrayList<>();
  private RealLogService service;
  private ContinuousStepRunner step;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    threads.shutdownNow();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Process p : engines) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (step != null) {
      step.close();
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  void deliversTheLinesSpooledBeforeTheKillAfterARestart() throws Exception {
    service = new RealLogService(dataDir, null, null).start();
    service.execution(EXECUTION, "RUNNING");
    int port = freePort();
    step = new ContinuousStepRunner(10, 5).start();
    Process first = liteEngine(port);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    ExecuteStepRequest request = ExecuteStepRequest.newBuilder()
        .setStepPort(step.port())
        .setStep(StepRequest.newBuilder().setStepId("restart").setKind(StepKind.STEP_KIND_APPLY).setChangelog("c.xml"))
        .setLogStream(LogStream.newBuilder().setServiceUrl(service.url()).setKey(STREAM)
            .setToken(service.tokenFor(STREAM)))
        .build();
    threads.execute(() -> {
      try {
        LiteEngineGrpc.newBlockingStub(channel).withInterceptors(TestPod.credential()).withDeadlineAfter(5, TimeUnit.MINUTES).executeStep(request);
      } catch (RuntimeException e) {
        // the lite engine is killed under this call
      }
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> service.lastSeq(STREAM) >= 500);

    service.stop();
    long printedAtStop = step.printed.get();
    await().atMost(Duration.ofSeconds(30)).until(() -> lastSpooledLine() > printedAtStop + 1000);
    first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no flush
    long spooled = lastSpooledLine();
    assertThat(spooled).as("lines on disk at the kill").isGreaterThan(printedAtStop);

    service.start();
    liteEngine(port); // a restarted container on the same spool directory

    await().atMost(Duration.ofSeconds(60)).until(() -> service.closed(STREAM));
    List<LogPage.Line> stored = service.lines(EXECUTION, STREAM);
    assertThat(stored).hasSize((int) spooled);
    for (int i = 0; i < stored.size(); i++) {
      LogPage.Line line = stored.get(i);
      if (line.seq() != i + 1 || !line.text().equals("line " + (i + 1))) {
        throw new AssertionError("Line " + (i + 1) + " of " + spooled + " is seq " + line.seq() + " '" + line.text() + "'");
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> segments().isEmpty());
  }

  /** The highest "line N" in the spool's segment files (what a successor must deliver). */
  private long lastSpooledLine() throws Exception {
    long max = 0;
    for (Path segment : segments()) {
      Matcher m = LINE.matcher(new String(Files.readAllBytes(segment), StandardCharsets.ISO_8859_1));
      while (m.find()) {
        max = Math.max(max, Long.parseLong(m.group(1)));
      }
    }
    return max;
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> files = Files.walk(spoolDir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList();
    }
  }

  /** {@code LiteEngineMain} in its own JVM; returns once it listens. */
  private Process liteEngine(int port) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), LiteEngineMain.class.getName());
    builder.environment().put("DBOPS_LITE_ENGINE_PORT", Integer.toString(port));
    builder.environment().put("DBOPS_LOG_SPOOL_DIR", spoolDir.toString());
    builder.environment().putAll(TestPod.env(service.url(), step.port()));
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    engines.add(process);
    List<String> output = new CopyOnWriteArrayList<>();
    threads.execute(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
        }
      } catch (Exception e) {
        // the process ended
      }
    });
    await().atMost(Duration.ofSeconds(60)).until(() -> output.stream().anyMatch(l -> l.contains("Lite engine listening"))
        || !process.isAlive());
    assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
    return process;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
