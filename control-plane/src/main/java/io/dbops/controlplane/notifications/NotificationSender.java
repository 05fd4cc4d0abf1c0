package io.dbops.controlplane.notifications;

import io.dbops.controlplane.metrics.Metrics;
import io.dbops.controlplane.secrets.SecretBox;
import io.dbops.controlplane.webhooks.Signatures;
import io.dbops.support.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the notification outbox on one thread, {@code cp-notify-1}: every {@code poll} (with
 * jitter) or when woken by a new row, it claims the due rows (a conditional update, so replicas
 * never send one row together), POSTs each with {@code X-Dbops-Signature: sha256=<HMAC of the
 * body>}, {@code X-Dbops-Delivery} and {@code X-Dbops-Event}, and marks it delivered (2xx), or
 * schedules a retry with {@link Backoff} (full jitter) until the row is older than {@code maxAge},
 * when it is given up (FAILED). Rows live in the database, so retries survive restarts. Redirects
 * are not followed; the host rule is checked (with DNS) before each send. {@link #deliverDue} is
 * the one pass, callable from tests with their own clock. {@link #close} stops the thread (5 s).
 */
public final class NotificationSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
  private static final int BATCH = 50;
  /** Delivered and given-up rows are kept this long as the delivery log, then removed. */
  static final Duration KEEP = Duration.ofDays(30);
  private static final Duration PRUNE_EVERY = Duration.ofHours(1);

  /** One POST; returns the HTTP status. */
  @FunctionalInterface
  public interface Transport {
    int post(URI url, Map<String, String> headers, byte[] body, Duration timeout)
        throws IOException, InterruptedException;
  }

  private final NotificationService service;
  private final TriggerSettings settings;
  private final Transport transport;
  private final Metrics metrics;
  private final Clock clock;
  private final Backoff backoff;
  private final BlockingQueue<Boolean> wakeups = new ArrayBlockingQueue<>(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private Thread thread;
  private long lastPrune = Long.MIN_VALUE / 2; // only the sender thread (or a test) calls deliverDue

  public NotificationSender(NotificationService service, TriggerSettings settings,
      Transport transport, Metrics metrics, Clock clock) {
    this(service, settings, transport, metrics, clock,
        new Backoff(settings.retryBase(), settings.retryCap()));
  }

  /** With a chosen backoff (tests pass one without jitter). */
  NotificationSender(NotificationService service, TriggerSettings settings, Transport transport,
      Metrics metrics, Clock clock, Backoff backoff) {
    this.service = service;
    this.settings = settings;
    this.transport = transport;
    this.metrics = metrics;
    this.clock = clock;
    this.backoff = backoff;
  }

  /** The JDK HTTP client: no redirects, connect timeout as the settings say. */
  public static Transport httpTransport(Duration connectTimeout) {
    HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout).build();
    return (url, headers, body, timeout) -> {
      HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(b::header);
      return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    };
  }

  public void start() {
    service.onEnqueued(() -> wakeups.offer(Boolean.TRUE));
    thread = new Thread(this::loop, "cp-notify-1");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!closed.get()) {
      try {
        deliverDue();
      } catch (RuntimeException e) {
        log.error("A notification delivery pass failed; the next runs in {} ms",
            settings.poll().toMillis(), e);
      }
      try {
        long jitter = ThreadLocalRandom.current().nextLong(settings.poll().toMillis() / 5 + 1);
        wakeups.poll(settings.poll().toMillis() + jitter, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One pass: sends every due row. Returns how many were delivered. */
  public int deliverDue() {
    long now = clock.millis();
    if (now - lastPrune >= PRUNE_EVERY.toMillis()) {
      lastPrune = now;
      int pruned = service.store().prune(now - KEEP.toMillis());
      if (pruned > 0) {
        log.info("Removed {} delivered or given-up notification(s) older than {} days", pruned,
            KEEP.toDays());
      }
    }
    List<NotificationStore.Pending> due = service.store().due(now, BATCH);
    int delivered = 0;
    for (NotificationStore.Pending p : due) {
      if (closed.get()) {
        break;
      }
      // claimed for longer than one send can take, so another replica leaves it alone
      long claim = clock.millis() + settings.timeout().toMillis() * 3 + 5_000;
      if (!service.store().claim(p, claim)) {
        continue;
      }
      if (send(p)) {
        delivered++;
      }
    }
    return delivered;
  }

  private boolean send(NotificationStore.Pending p) {
    int attempts = p.attempts() + 1;
    Optional<NotificationService.Target> target;
    try {
      target = service.target(p.endpoint());
    } catch (SecretBox.UnreadableException e) {
      giveUp(p, attempts, null, e.getMessage());
      return false;
    }
    if (target.isEmpty()) {
      giveUp(p, attempts, null, "the endpoint was deleted");
      return false;
    }
    URI url = URI.create(target.get().endpoint().url());
    String refused = service.hosts().refusalResolved(url);
    if (refused != null) {
      // the operator's setting decides; retrying would not change it before a restart
      giveUp(p, attempts, null, "not sent: " + refused);
      return false;
    }
    byte[] body = p.payload().getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", "dbops-notifications");
    headers.put("X-Dbops-Event", p.event());
    headers.put("X-Dbops-Delivery", p.id());
    headers.put("X-Dbops-Signature", Signatures.sign(target.get().secret(), body));
    Integer status = null;
    String error;
    try {
      status = transport.post(url, headers, body, settings.timeout());
      if (status >= 200 && status < 300) {
        service.store().delivered(p.id(), attempts, clock.millis(), status);
        metrics.notificationDelivery("sent");
        log.info("Notification {} ({} of execution {}) delivered to endpoint '{}' after {}"
            + " attempt(s)", p.id(), p.event(), p.executionId(), p.endpoint(), attempts);
        return true;
      }
      error = "the endpoint answered " + status;
    } catch (IOException e) {
      error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted while sending (the control plane is stopping)";
    }
    metrics.notificationDelivery("failed");
    long now = clock.millis();
    long next = now + backoff.delayMillis(attempts - 1);
    if (next - p.createdAt() > settings.maxAge().toMillis()) {
      giveUp(p, attempts, status, error + "; given up after " + attempts + " attempt(s)"
          + " (DBOPS_NOTIFY_MAX_AGE_SECONDS)");
      return false;
    }
    service.store().failed(p.id(), attempts, next, status, error);
    log.warn("Notification {} to endpoint '{}' failed (attempt {}): {}; retried in {} ms", p.id(),
        p.endpoint(), attempts, error, next - now);
    return false;
  }

  private void giveUp(NotificationStore.Pending p, int attempts, Integer status, String error) {
    service.store().failed(p.id(), attempts, null, status, error);
    metrics.notificationDelivery("failed");
    log.warn("Notification {} ({} of execution {}) to endpoint '{}' given up: {}", p.id(),
        p.event(), p.executionId(), p.endpoint(), error);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
