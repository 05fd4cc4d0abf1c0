import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * The simulated delegate of the migration state benchmark (bench/state.sh): one WebSocket client
 * speaking protocol 1 (like bench/DelegateSwarm.java) that claims init_stage, execute_step and
 * cleanup_stage tasks and answers every step with a history, as the step runtime's history step
 * does (outputs count and history, or historyGzip above 128 KiB). The rows depend on the stage's
 * database URL, jdbc:h2:mem:bench-ENV-INDEX: environment a has changesets 1..ROWS, environment b
 * 1..ROWS-MISSING; target bench-a-0 has BIG rows. JDK only, run as a single-file program:
 *   java bench/StateSeeder.java ws://127.0.0.1:PORT/api/v1/delegates/connect TOKEN ROWS MISSING BIG
 */
public class StateSeeder {
  static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([a-z_]+)\"");
  static final Pattern TASK = Pattern.compile("\"taskId\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern TASK_TYPE = Pattern.compile("\"taskType\"\\s*:\\s*\"([a-z_]+)\"");
  static final Pattern ATTEMPT = Pattern.compile("\"attempt\"\\s*:\\s*(\\d+)");
  static final Pattern POD = Pattern.compile("\"podName\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern URL = Pattern.compile("\"jdbcUrl\"\\s*:\\s*\"jdbc:h2:mem:bench-([a-z]+)-(\\d+)\"");
  static final Pattern INTERVAL = Pattern.compile("\"heartbeatIntervalSeconds\"\\s*:\\s*(\\d+)");
  static final Pattern SEQ = Pattern.compile("\"seq\"\\s*:\\s*(\\d+)");
  static final Pattern SENT = Pattern.compile("\"sentAtMillis\"\\s*:\\s*(\\d+)");
  static final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
  static final AtomicLong steps = new AtomicLong();
  static int rows;
  static int missing;
  static int big;

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    rows = Integer.parseInt(args[2]);
    missing = Integer.parseInt(args[3]);
    big = Integer.parseInt(args[4]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    timers.scheduleAtFixedRate(() -> System.out.println("steps answered " + steps.get()), 10, 10, TimeUnit.SECONDS);
    http.newWebSocketBuilder().header("Authorization", "Bearer " + args[1]).buildAsync(uri, new Sim()).join();
    Thread.currentThread().join();
  }

  static String history(String env, int index) {
    int n = "a".equals(env) && index == 0 ? big : "a".equals(env) ? rows : rows - missing;
    StringBuilder sb = new StringBuilder(n * 220).append('[');
    for (int i = 1; i <= n; i++) {
      sb.append(i == 1 ? "" : ",").append("{\"id\":\"cs-").append(i).append("\",\"author\":\"bench\",\"file\":")
          .append("\"db/changelog/release-").append(i / 100).append(".sql\",\"dateExecuted\":\"2026-12-07T10:00:00.")
          .append(String.format("%03d", i % 1000)).append("\",\"orderExecuted\":").append(i)
          .append(",\"execType\":\"EXECUTED\",\"tag\":\"").append(i % 100 == 0 ? "v" + i / 100 : "")
          .append("\",\"deploymentId\":\"").append(5_000_000_000L + i / 100).append("\",\"checksum\":\"9:")
          .append(Integer.toHexString(i * 7919 + 0x100000)).append("0123456789abcdef01234567\"}");
    }
    String json = sb.append(']').toString();
    if (json.length() <= 128 * 1024) {
      return "\"count\":\"" + n + "\",\"history\":\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return "\"count\":\"" + n + "\",\"historyGzip\":\"" + Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\"";
  }

  static final class Sim implements WebSocket.Listener {
    final StringBuilder partial = new StringBuilder();
    final AtomicLong seq = new AtomicLong();
    WebSocket ws;
    CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);

    synchronized void send(String frame) {
      sending = sending.thenCompose(w -> ws.sendText(frame, true)).exceptionally(e -> {
        System.out.println("send failed: " + e);
        return null;
      });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      ws = webSocket;
      send("{\"type\":\"hello\",\"protocolVersion\":1,\"name\":\"state-seeder\",\"instanceId\":\"" + UUID.randomUUID()
          + "\",\"version\":\"bench\",\"tags\":[],\"capacity\":8,\"taskTypes\":[\"init_stage\",\"execute_step\","
          + "\"cleanup_stage\"]}");
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
          long interval = Long.parseLong(orElse(find(INTERVAL, frame), "15"));
          timers.scheduleAtFixedRate(() -> send("{\"type\":\"heartbeat\",\"seq\":" + seq.incrementAndGet()
              + ",\"sentAtMillis\":" + System.currentTimeMillis() + "}"), interval, interval, TimeUnit.SECONDS);
          System.out.println("welcomed");
        }
        case "heartbeat" -> send("{\"type\":\"heartbeat_ack\",\"seq\":" + find(SEQ, frame) + ",\"sentAtMillis\":"
            + find(SENT, frame) + "}");
        case "task_offer" -> send("{\"type\":\"claim\",\"taskId\":\"" + find(TASK, frame) + "\"}");
        case "task_assigned" -> {
          String head = "{\"type\":\"task_result\",\"taskId\":\"" + find(TASK, frame) + "\",\"attempt\":"
              + orElse(find(ATTEMPT, frame), "1") + ",\"status\":\"SUCCEEDED\",\"error\":null,\"output\":";
          String output = switch (orElse(find(TASK_TYPE, frame), "")) {
            case "init_stage" -> "{\"podName\":\"" + find(POD, frame) + "\",\"liteEngineAddress\":\"127.0.0.1:1\","
                + "\"stepPorts\":[2,3,4,5,6,7,8,9]}";
            case "execute_step" -> {
              Matcher m = URL.matcher(frame);
              steps.incrementAndGet();
              yield "{\"status\":\"SUCCEEDED\",\"error\":null,\"outputs\":{"
                  + (m.find() ? history(m.group(1), Integer.parseInt(m.group(2))) : "")
                  + "},\"changesets\":[],\"durationMillis\":1,\"logLines\":0,\"undeliveredLogLines\":0}";
            }
            default -> "{}";
          };
          send(head + output + "}");
        }
        case "error" -> System.out.println("error frame: " + frame);
        default -> { }
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      System.out.println("closed " + statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      System.out.println("error " + error);
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
