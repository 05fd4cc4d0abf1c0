package io.dbops.liteengine.bench;

import io.dbops.logship.LogShipper;
import io.dbops.logship.ShipperSettings;
import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import io.dbops.secrets.Masker;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;

/**
 * A process that generates lines and ships them with one {@link LogShipper}, the way a step's
 * output is shipped, then prints one {@code RESULT} line: lines, seconds from the first append to
 * the last acknowledged line, lines per second, and the live heap (used right after a full GC)
 * before the shipper starts and at its peak while shipping. Run it in its own JVM with {@code
 * -Xmx} to hold it to a bound.
 *
 * <p>Arguments: serviceUrl streamKey token lines spoolDir|- mask(true|false) sampleHeap(true|false).
 * With mask, the shipper's line filter is the real {@link Masker} of 100 random 16-character
 * secrets (every form of each: plain, base64, URL-encoded, JSON-escaped), and every tenth line holds
 * one. With sampleHeap, a thread forces a full GC every 200 ms and records the heap left:
 * exact, but it slows shipping, so measure throughput without it.
 */
public final class ShipperProcess {
  private ShipperProcess() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String key = args[1];
    String token = args[2];
    long lines = Long.parseLong(args[3]);
    Path spool = args[4].equals("-") ? null : Path.of(args[4]);
    boolean mask = Boolean.parseBoolean(args[5]);
    boolean sampleHeap = args.length > 6 && Boolean.parseBoolean(args[6]);

    Random random = new Random(42);
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      secrets.add(randomText(random, 16));
    }
    UnaryOperator<String> filter = mask ? new Masker(secrets) : UnaryOperator.identity();
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(30)).writeTimeout(Duration.ofSeconds(30)).build();
    ShipperSettings settings = ShipperSettings.DEFAULT.withSpoolDir(spool);
    LogShipper shipper = new LogShipper(http, new LogStreamRef(url, key, token), settings, filter);
    long baseline = liveHeap();
    AtomicLong peak = new AtomicLong(baseline);
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(liveHeap(), Math::max);
        try {
          Thread.sleep(200); // the sampling period
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    if (sampleHeap) {
      sampler.start();
    }

    long start = System.nanoTime();
    shipper.start();
    for (long i = 1; i <= lines; i++) {
      // about 100 characters, like a Liquibase line; every tenth carries a secret
      String text = "line " + i + " INFO liquibase.changelog: ChangeSet db/orders.xml::" + (i % 977)
          + "::alice ran successfully in 3ms" + (i % 10 == 0 ? " password=" + secrets.get((int) (i % 100)) : "");
      shipper.append("INFO", text, System.currentTimeMillis());
    }
    long appended = System.nanoTime();
    long undelivered = shipper.close(Duration.ofMinutes(10));
    long end = System.nanoTime();
    sampler.interrupt();
    http.dispatcher().executorService().shutdown();

    double seconds = (end - start) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT lines=%d undelivered=%d seconds=%.2f appendSeconds=%.2f linesPerSecond=%.0f "
            + "baselineHeapMiB=%.1f peakLiveHeapMiB=%s shipperHeapMiB=%s boundMiB=%.1f%n",
        lines, undelivered, seconds, (appended - start) / 1e9, lines / seconds, mib(baseline),
        sampleHeap ? String.format(Locale.ROOT, "%.1f", mib(peak.get())) : "not-sampled",
        sampleHeap ? String.format(Locale.ROOT, "%.1f", mib(peak.get() - baseline)) : "not-sampled",
        mib(settings.memoryBound()));
    System.exit(undelivered == 0 ? 0 : 1);
  }

  private static String randomText(Random random, int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  /** The heap still used after a full collection: the live objects. */
  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double mib(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }
}
