package io.dbops.agent.connection;

import io.dbops.config.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;

/**
 * The standard proxy variables, applied to the delegate's connection to the control plane:
 * {@code HTTPS_PROXY} for https/wss, {@code HTTP_PROXY} for http/ws (lower-case spellings win, as in
 * curl), and {@code NO_PROXY}: a comma-separated list of host names, domain suffixes ({@code
 * .example.com} or {@code example.com} both match sub-domains) and literal IPs, or {@code *} for
 * none. CIDR ranges are not supported. Credentials in the proxy URL ({@code
 * http://user:password@proxy:3128}) are sent as Basic proxy authorization when the proxy asks.
 *
 * <p>Only the control plane connection uses it; the lite engine's gRPC channel inside the cluster
 * does not.
 */
public record ProxySettings(Endpoint httpsProxy, Endpoint httpProxy, List<String> noProxy) {
  /** One proxy: where it is and, optionally, its credentials. */
  public record Endpoint(String host, int port, String username, String password) {
    @Override
    public String toString() {
      return host + ":" + port + (username == null ? "" : " (as " + username + ")");
    }
  }

  public static final ProxySettings NONE = new ProxySettings(null, null, List.of());

  public ProxySettings {
    noProxy = List.copyOf(noProxy);
  }

  /** Reads the variables; a malformed proxy URL fails naming the variable, never its password. */
  public static ProxySettings fromEnvironment(Function<String, String> env) {
    List<String> problems = new ArrayList<>();
    Endpoint https = endpoint(env, "HTTPS_PROXY", problems);
    Endpoint http = endpoint(env, "HTTP_PROXY", problems);
    if (!problems.isEmpty()) {
      throw new ConfigException("delegate", problems);
    }
    List<String> noProxy = new ArrayList<>();
    String list = variable(env, "NO_PROXY");
    if (list != null) {
      for (String entry : list.split(",")) {
        String host = entry.trim().toLowerCase(Locale.ROOT);
        if (!host.isEmpty()) {
          noProxy.add(host);
        }
      }
    }
    return new ProxySettings(https, http, noProxy);
  }

  /** Sets the proxy selector and, where the proxy has credentials, the proxy authenticator. */
  public OkHttpClient.Builder apply(OkHttpClient.Builder builder) {
    if (httpsProxy == null && httpProxy == null) {
      return builder;
    }
    builder.proxySelector(new Selector());
    builder.proxyAuthenticator((route, response) -> {
      Endpoint proxy = forScheme(response.request().url().scheme());
      if (proxy == null || proxy.username() == null || response.request().header("Proxy-Authorization") != null) {
        return null; // no credentials, or they were refused: let the 407 surface
      }
      return response.request().newBuilder()
          .header("Proxy-Authorization", Credentials.basic(proxy.username(), proxy.password()))
          .build();
    });
    return builder;
  }

  /** The proxy for this URL, or null when it is reached directly. */
  Endpoint proxyFor(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return bypassed(host) ? null : forScheme(uri.getScheme());
  }

  private Endpoint forScheme(String scheme) {
    String s = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    return s.equals("https") || s.equals("wss") ? httpsProxy : s.equals("http") || s.equals("ws") ? httpProxy : null;
  }

  private boolean bypassed(String host) {
    for (String entry : noProxy) {
      if (entry.equals("*")) {
        return true;
      }
      String domain = entry.startsWith(".") ? entry.substring(1) : entry;
      int colon = domain.lastIndexOf(':');
      if (colon > 0 && domain.indexOf(':') == colon) {
        domain = domain.substring(0, colon); // host:port: the port is not compared
      }
      if (host.equals(domain) || host.endsWith("." + domain)) {
        return true;
      }
    }
    return false;
  }

  private static String variable(Function<String, String> env, String name) {
    String lower = env.apply(name.toLowerCase(Locale.ROOT));
    String value = lower != null && !lower.isBlank() ? lower : env.apply(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static Endpoint endpoint(Function<String, String> env, String name, List<String> problems) {
    String value = variable(env, name);
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value.contains("://") ? value : "http://" + value);
      if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme())) {
        problems.add(name + " must look like http://host:port (with optional user:password@)");
        return null;
      }
      String user = null;
      String password = null;
      String userInfo = uri.getRawUserInfo();
      if (userInfo != null) {
        int colon = userInfo.indexOf(':');
        user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
      }
      return new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), user, password);
    } catch (URISyntaxException e) {
      problems.add(name + " is not a valid URL; expected http://host:port");
      return null;
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private final class Selector extends ProxySelector {
    @Override
    public List<Proxy> select(URI uri) {
      Endpoint proxy = proxyFor(uri);
      if (proxy == null) {
        return List.of(Proxy.NO_PROXY);
      }
      return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.host(), proxy.port())));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException e) {
      // OkHttp reports the failure on the call itself
    }
  }
}
