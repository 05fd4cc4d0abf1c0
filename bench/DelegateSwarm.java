import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated delegates for the control plane benchmark (bench/control-plane-swarm.sh): N real
 * WebSocket clients in this one JVM (the JDK's HttpClient), each speaking protocol 1 as a delegate
 * does: hello, heartbeats every interval the welcome names (and acks to the control plane's),
 * claims of every offer, task_result SUCCEEDED with output {} for each assigned task (only noop
 * tasks are offered: taskTypes [noop]). No dbops code: the frames are written by hand, as the
 * protocol document describes them. JDK only, run as a single-file program:
 *   java bench/DelegateSwarm.java ws://127.0.0.1:PORT/api/v1/delegates/connect TOKEN 1000
 * Prints a status line every 10 s: connected, welcomed, claims, results acknowledged.
 */
public class DelegateSwarm {
  static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([a-z_]+)\"");
  static final Pattern TASK = Pattern.compile("\"taskId\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern ATTEMPT = Pattern.compile("\"attempt\"\\s*:\\s*(\\d+)");
  static final Pattern INTERVAL = Pattern.compile("\"heartbeatIntervalSeconds\"\\s*:\\s*(\\d+)");
  static final Pattern SEQ = Pattern.compile("\"seq\"\\s*:\\s*(\\d+)");
  static final Pattern SENT = Pattern.compile("\"sentAtMillis\"\\s*:\\s*(\\d+)");
  static final AtomicInteger connected = new AtomicInteger();
  static final AtomicInteger welcomed = new AtomicInteger();
  static final AtomicInteger closed = new AtomicInteger();
  static final AtomicLong claims = new AtomicLong();
  static final AtomicLong assigned = new AtomicLong();
  static final AtomicLong acked = new AtomicLong();
  static final AtomicLong errors = new AtomicLong();
  static final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    String token = args[1];
    int n = Integer.parseInt(args[2]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    timers.scheduleAtFixedRate(() -> System.out.printf("delegates %d connected, %d welcomed, %d closed; claims %d,"
        + " assigned %d, results acknowledged %d, errors %d%n", connected.get(), welcomed.get(), closed.get(),
        claims.get(), assigned.get(), acked.get(), errors.get()), 10, 10, TimeUnit.SECONDS);
    for (int i = 0; i < n; i++) {
      Sim sim = new Sim(i);
      http.newWebSocketBuilder().header("Authorization", "Bearer " + token).buildAsync(uri, sim)
          .whenComplete((ws, e) -> {
            if (e != null) {
              errors.incrementAndGet();
              System.out.println("connect failed: " + e);
            }
          });
      if (i % 50 == 49) {
        Thread.sleep(200); // a ramp, not a thundering herd
      }
    }
    Thread.currentThread().join();
  }

  static final class Sim implements WebSocket.Listener {
    final int index;
    final String instanceId = UUID.randomUUID().toString();
    final StringBuilder partial = new StringBuilder();
    WebSocket ws;
    CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
    final AtomicLong seq = new AtomicLong();

    Sim(int index) {
      this.index = index;
    }

    synchronized void send(String frame) {
      sending = sending.thenCompose(w -> ws.sendText(frame, true)).exceptionally(e -> {
        errors.incrementAndGet();
        return null;
      });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      ws = webSocket;
      connected.incrementAndGet();
      send("{\"type\":\"hello\",\"protocolVersion\":1,\"name\":\"sim\",\"instanceId\":\"" + instanceId
          + "\",\"version\":\"bench\",\"tags\":[],\"capacity\":4,\"taskTypes\":[\"noop\"]}");
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        handle(frame);
      }
      webSocket.request(1);
      return null;
    }

    void handle(String frame) {
      String type = find(TYPE, frame);
      if (type == null) {
        return;
      }
      switch (type) {
        case "welcome" -> {
          welcomed.incrementAndGet();
          long interval = Long.parseLong(orElse(find(INTERVAL, frame), "15"));
          timers.scheduleAtFixedRate(() -> send("{\"type\":\"heartbeat\",\"seq\":" + seq.incrementAndGet()
              + ",\"sentAtMillis\":" + System.currentTimeMillis() + "}"), interval, interval, TimeUnit.SECONDS);
        }
        case "heartbeat" -> send("{\"type\":\"heartbeat_ack\",\"seq\":" + find(SEQ, frame) + ",\"sentAtMillis\":"
            + find(SENT, frame) + "}");
        case "task_offer" -> {
          claims.incrementAndGet();
          send("{\"type\":\"claim\",\"taskId\":\"" + find(TASK, frame) + "\"}");
        }
        case "task_assigned" -> {
          assigned.incrementAndGet();
          send("{\"type\":\"task_result\",\"taskId\":\"" + find(TASK, frame) + "\",\"attempt\":"
              + orElse(find(ATTEMPT, frame), "1") + ",\"status\":\"SUCCEEDED\",\"error\":null,\"output\":{}}");
        }
        case "result_ack" -> acked.incrementAndGet();
        case "error" -> {
          errors.incrementAndGet();
          if (errors.get() < 5) {
            System.out.println("error frame: " + frame);
          }
        }
        default -> { }
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.incrementAndGet();
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      errors.incrementAndGet();
    }
  }

  static String find(Pattern p, String s) {
    Matcher m = p.matcher(s);
    return m.find() ? m.group(1) : null;
  }

  static String orElse(String v, String d) {
    return v == null ? d : v;
  }
}
