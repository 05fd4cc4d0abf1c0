package io.dbops.agent.connection;

import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/** Frames as WebSocket text messages on {@code GET /api/v1/delegates/connect}. */
final class WebSocketTransport implements Transport {
  private final OkHttpClient http;
  private final URI url;
  private final String token;
  private final RefusalClassifier classifier;

  WebSocketTransport(OkHttpClient http, URI url, String token, RefusalClassifier classifier) {
    this.http = http;
    this.url = url;
    this.token = token;
    this.classifier = classifier;
  }

  @Override
  public Link open(String helloText, Listener listener) {
    Request request = new Request.Builder().url(url.toString()).header("Authorization", "Bearer " + token).build();
    SocketLink link = new SocketLink(listener, helloText);
    link.socket = http.newWebSocket(request, link);
    return link;
  }

  private final class SocketLink extends WebSocketListener implements Link {
    private final Listener listener;
    private final String helloText;
    private final AtomicBoolean ended = new AtomicBoolean();
    volatile WebSocket socket;

    SocketLink(Listener listener, String helloText) {
      this.listener = listener;
      this.helloText = helloText;
    }

    @Override
    public boolean send(String text) {
      return socket.send(text);
    }

    @Override
    public void close(String reason) {
      socket.close(1000, reason);
    }

    @Override
    public void cancel() {
      ended.set(true);
      socket.cancel();
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      webSocket.send(helloText);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      if (!ended.get()) {
        listener.onText(text);
      }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      webSocket.close(1000, null);
      end(closedBy(code, reason));
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      // Also called without onClosing when the close handshake completes in one go.
      end(closedBy(code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable failure, Response response) {
      end(classifier.classify(failure, response == null ? -1 : response.code()));
    }

    private void end(DelegateException reason) {
      if (ended.compareAndSet(false, true)) {
        listener.onEnded(reason);
      }
    }

    private DelegateException closedBy(int code, String reason) {
      return new DelegateException.Retryable(
          "closed by the control plane (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")",
          null);
    }
  }
}
