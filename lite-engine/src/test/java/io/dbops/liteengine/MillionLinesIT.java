package io.dbops.liteengine;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.liteengine.bench.ShipperProcess;
import io.dbops.logship.ShipperSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Done-when test of issue #6: 1,000,000 lines of one stream arrive complete, in order, and the
 * shipper's heap stays under its stated bound ({@link ShipperSettings#memoryBound()}, 16.3 MiB
 * with the defaults). The shipper runs in its own JVM with {@code -Xmx48m}: holding the lines in
 * memory (about 200 MB) would fail it; its live heap is sampled (a full GC every 200 ms) as well.
 */
class MillionLinesIT {
  private static final String EXECUTION = "ex-million";
  private static final String STREAM = "executions/" + EXECUTION + "/dev/apply";
  private static final long LINES = 1_000_000;
  private static final Pattern RESULT = Pattern.compile("RESULT .*");
  @TempDir Path dataDir;
  @TempDir Path spoolDir;
  private RealLogService service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void deliversAMillionLinesCompleteWithTheShippersHeapUnderItsBound() throws Exception {
    service = new RealLogService(dataDir, null, null).start();
    service.execution(EXECUTION, "RUNNING");
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
        "-cp", System.getProperty("java.class.path"), ShipperProcess.class.getName(),
        service.url(), STREAM, service.tokenFor(STREAM), Long.toString(LINES), spoolDir.toString(), "false", "true");
    builder.redirectErrorStream(true);
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process shipper = builder.start();
    String output = new String(shipper.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shipper.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(shipper.exitValue()).as(output).isZero();

    Matcher result = RESULT.matcher(output);
    assertThat(result.find()).as(output).isTrue();
    System.out.println(result.group());
    Map<String, String> numbers = new HashMap<>();
    for (String pair : result.group().substring("RESULT ".length()).split(" ")) {
      numbers.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    assertThat(Double.parseDouble(numbers.get("shipperHeapMiB")))
        .as("peak live heap above the JVM's own (full GC every 200 ms)")
        .isLessThan(ShipperSettings.DEFAULT.memoryBound() / 1024.0 / 1024.0);

    assertThat(service.lastSeq(STREAM)).isEqualTo(LINES);
    AtomicLong expected = new AtomicLong(1);
    service.forEachLine(EXECUTION, line -> {
      long n = expected.getAndIncrement();
      if (line.seq() != n || !line.text().startsWith("line " + n + " ")) {
        throw new AssertionError("Line " + n + " is seq " + line.seq() + " '" + line.text() + "'");
      }
    });
    assertThat(expected.get() - 1).isEqualTo(LINES);
  }
}
