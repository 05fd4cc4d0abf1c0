package io.dbops.agent.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import io.dbops.support.NamedThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Frames over plain HTTP(S) requests (docs/protocol.md, "Long-poll transport"): {@code POST
 * .../poll/sessions} with the hello, then a loop of {@code GET .../frames?waitMillis=W} on one
 * thread ({@code delegate-poll-N}) and ordered {@code POST .../frames} batches on another ({@code
 * delegate-poll-send-N}). Both threads belong to one session and end with it.
 */
final class LongPollTransport implements Transport {
  static final long WAIT_MILLIS = 25_000;
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final OkHttpClient http;
  private final OkHttpClient pollHttp;
  private final URI sessionsUrl;
  private final String token;
  private final RefusalClassifier classifier;
  private final NamedThreadFactory receivers = new NamedThreadFactory("delegate-poll", true);
  private final NamedThreadFactory senders = new NamedThreadFactory("delegate-poll-send", true);

  LongPollTransport(OkHttpClient http, URI sessionsUrl, String token, RefusalClassifier classifier) {
    this.http = http.newBuilder().callTimeout(Duration.ofSeconds(30)).build();
    this.pollHttp = http.newBuilder().callTimeout(Duration.ofMillis(WAIT_MILLIS).plusSeconds(15)).build();
    this.sessionsUrl = sessionsUrl;
    this.token = token;
    this.classifier = classifier;
  }

  @Override
  public Link open(String helloText, Listener listener) {
    PollLink link = new PollLink(listener);
    receivers.newThread(() -> link.receive(helloText)).start();
    return link;
  }

  private Request.Builder request(String url) {
    return new Request.Builder().url(url).header("Authorization", "Bearer " + token);
  }

  private final class PollLink implements Link {
    private final Listener listener;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final BlockingQueue<String> outgoing = new LinkedBlockingQueue<>();
    private final CountDownLatch sessionCreated = new CountDownLatch(1);
    private final CountDownLatch senderDone = new CountDownLatch(1);
    private volatile String sessionUrl;
    private volatile Call pollCall;
    private volatile Thread sender;

    PollLink(Listener listener) {
      this.listener = listener;
    }

    @Override
    public boolean send(String text) {
      if (ended.get() || closing.get()) {
        return false;
      }
      return outgoing.offer(text);
    }

    @Override
    public void close(String reason) {
      if (!closing.compareAndSet(false, true) || ended.get()) {
        cancel();
        return;
      }
      try {
        // the frames already queued (a goodbye, the last results) go out first
        senderDone.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String url = sessionUrl;
        if (url != null) {
          try (Response ignored = http.newBuilder().callTimeout(CLOSE_TIMEOUT).build()
              .newCall(request(url).delete().build()).execute()) {
            // 204, or 404 when the session is gone already: either way it is over
          } catch (IOException e) {
            // the control plane closes an abandoned session itself
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        cancel();
      }
    }

    @Override
    public void cancel() {
      ended.set(true);
      Call call = pollCall;
      if (call != null) {
        call.cancel();
      }
      Thread s = sender;
      if (s != null) {
        s.interrupt();
      }
      sessionCreated.countDown();
    }

    /** The receiving thread: creates the session, then polls until the session ends. */
    void receive(String helloText) {
      try {
        List<String> first = createSession(helloText);
        sender = senders.newThread(this::sendLoop);
        sender.start();
        sessionCreated.countDown();
        deliver(first);
        while (!ended.get()) {
          Call call = pollHttp.newCall(request(sessionUrl + "/frames?waitMillis=" + WAIT_MILLIS).get().build());
          pollCall = call;
          if (ended.get()) {
            return;
          }
          try (Response response = call.execute()) {
            if (response.code() != 200) {
              end(failure("GET frames", response));
              return;
            }
            deliver(frames(body(response)));
          }
        }
      } catch (SessionRefused e) {
        end(e.reason);
      } catch (IOException | RuntimeException e) {
        end(classifier.classify(e, -1));
      }
    }

    private List<String> createSession(String helloText) throws IOException {
      Request request = request(sessionsUrl.toString()).post(RequestBody.create(helloText, JSON)).build();
      try (Response response = http.newCall(request).execute()) {
        if (response.code() != 201 && response.code() != 200) {
          throw new SessionRefused(failure("POST sessions", response));
        }
        JsonNode answer = Json.mapper().readTree(body(response));
        String id = answer.path("sessionId").asText("");
        if (id.isEmpty()) {
          throw new IOException("the control plane answered the new session without a sessionId");
        }
        sessionUrl = sessionsUrl + "/" + id;
        return frames(answer.path("frames"));
      }
    }

    private void sendLoop() {
      try {
        while (!ended.get()) {
          String first = closing.get()
              ? outgoing.poll()
              : outgoing.poll(200, TimeUnit.MILLISECONDS);
          if (first == null) {
            if (closing.get()) {
              return;
            }
            continue;
          }
          List<String> batch = new ArrayList<>();
          batch.add(first);
          outgoing.drainTo(batch, 99);
          String body = "[" + String.join(",", batch) + "]";
          Request request = request(sessionUrl + "/frames").post(RequestBody.create(body, JSON)).build();
          try (Response response = http.newCall(request).execute()) {
            if (response.code() / 100 != 2) {
              end(failure("POST frames", response));
              return;
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException | RuntimeException e) {
        end(classifier.classify(e, -1));
      } finally {
        senderDone.countDown();
      }
    }

    private void deliver(List<String> frames) {
      for (String frame : frames) {
        if (ended.get()) {
          return;
        }
        listener.onText(frame);
      }
    }

    private DelegateException failure(String what, Response response) throws IOException {
      if (response.code() == 401 || response.code() == 403) {
        return classifier.classify(null, response.code());
      }
      String detail = body(response);
      try {
        JsonNode error = Json.mapper().readTree(detail);
        if (error.hasNonNull("message")) {
          detail = error.path("code").asText("") + ": " + error.get("message").asText();
        }
      } catch (IOException e) {
        // not an API error: keep the raw body
      }
      if (detail.length() > 300) {
        detail = detail.substring(0, 300) + "…";
      }
      return new DelegateException.Retryable(
          what + " answered HTTP " + response.code() + (detail.isBlank() ? "" : " (" + detail + ")"), null);
    }

    private void end(DelegateException reason) {
      boolean first = !ended.getAndSet(true);
      cancel();
      if (first && !closing.get()) {
        listener.onEnded(reason);
      }
    }

    private static String body(Response response) throws IOException {
      ResponseBody body = response.body();
      return body == null ? "" : body.string();
    }

    private static List<String> frames(String json) throws IOException {
      return json.isBlank() ? List.of() : frames(Json.mapper().readTree(json));
    }

    private static List<String> frames(JsonNode array) {
      List<String> frames = new ArrayList<>();
      if (array != null && array.isArray()) {
        for (JsonNode frame : array) {
          frames.add(frame.toString());
        }
      }
      return frames;
    }
  }

  /** Carries a refusal of the session out of {@code createSession}. */
  private static final class SessionRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient DelegateException reason;

    SessionRefused(DelegateException reason) {
      super(reason.getMessage(), null, false, false);
      this.reason = reason;
    }
  }
}
