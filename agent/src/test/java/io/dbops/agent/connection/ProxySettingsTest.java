package io.dbops.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import java.net.URI;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {
  @Test
  void choosesTheProxyBySchemeAndHonoursNoProxy() {
    ProxySettings proxy = ProxySettings.fromEnvironment(Map.of(
        "HTTPS_PROXY", "http://secure-proxy:3128",
        "http_proxy", "plain-proxy:8080",
        "NO_PROXY", " .internal.example, 10.0.0.7,kube-api:443 ")::get);

    assertThat(proxy.proxyFor(URI.create("wss://cp.example.com/api/v1/delegates/connect")).host())
        .isEqualTo("secure-proxy");
    assertThat(proxy.proxyFor(URI.create("https://cp.example.com/")).port()).isEqualTo(3128);
    assertThat(proxy.proxyFor(URI.create("http://cp.example.com/")).host()).isEqualTo("plain-proxy");
    assertThat(proxy.proxyFor(URI.create("http://cp.example.com/")).port()).isEqualTo(8080);
    assertThat(proxy.proxyFor(URI.create("https://cp.internal.example/"))).isNull();
    assertThat(proxy.proxyFor(URI.create("https://internal.example/"))).isNull();
    assertThat(proxy.proxyFor(URI.create("https://notinternal.example/"))).isNotNull();
    assertThat(proxy.proxyFor(URI.create("http://10.0.0.7:8080/"))).isNull();
    assertThat(proxy.proxyFor(URI.create("https://kube-api/"))).isNull();
  }

  @Test
  void noProxyStarBypassesEverything() {
    ProxySettings proxy = ProxySettings.fromEnvironment(Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "*")::get);
    assertThat(proxy.proxyFor(URI.create("https://anything/"))).isNull();
  }

  @Test
  void aMalformedProxyFailsNamingTheVariableNotThePassword() {
    assertThatThrownBy(() -> ProxySettings.fromEnvironment(
            Map.of("HTTPS_PROXY", "socks5://user:hunter22@proxy:1080")::get))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HTTPS_PROXY")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter22"));
    assertThat(ProxySettings.fromEnvironment(Map.of("HTTPS_PROXY", "http://user:hunter22@proxy:1080")::get)
        .httpsProxy().toString()).doesNotContain("hunter22");
  }

  @Test
  void requestsGoThroughTheProxyWithItsCredentialsWhenAsked() throws Exception {
    try (MockWebServer proxyServer = new MockWebServer()) {
      proxyServer.enqueue(new MockResponse().setResponseCode(407).addHeader("Proxy-Authenticate", "Basic realm=\"p\""));
      proxyServer.enqueue(new MockResponse().setBody("ok"));
      proxyServer.start();
      ProxySettings proxy = ProxySettings.fromEnvironment(Map.of(
          "HTTP_PROXY", "http://ops%40corp:s3cret@127.0.0.1:" + proxyServer.getPort())::get);
      OkHttpClient http = proxy.apply(new OkHttpClient.Builder()).build();

      try (Response response = http.newCall(new Request.Builder()
          .url("http://control-plane.invalid/healthz").build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
      }

      RecordedRequest first = proxyServer.takeRequest();
      assertThat(first.getRequestLine()).isEqualTo("GET http://control-plane.invalid/healthz HTTP/1.1");
      assertThat(first.getHeader("Proxy-Authorization")).isNull();
      RecordedRequest second = proxyServer.takeRequest();
      assertThat(second.getHeader("Proxy-Authorization"))
          .isEqualTo(okhttp3.Credentials.basic("ops@corp", "s3cret"));
    }
  }

  @Test
  void withoutProxyVariablesTheClientIsUnchanged() {
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    ProxySettings.fromEnvironment(Map.<String, String>of()::get).apply(builder);
    assertThat(builder.build().proxySelector()).isEqualTo(new OkHttpClient().proxySelector());
  }
}
