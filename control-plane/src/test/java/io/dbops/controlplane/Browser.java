package io.dbops.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A browser stand-in for console tests: keeps cookies like a browser (domain, path, expiry),
 * follows redirects only when asked, and remembers every response's Set-Cookie headers. Sends
 * no Authorization header.
 */
final class Browser {
  final String baseUrl;
  final List<Cookie> cookies = new ArrayList<>(); // guarded by this
  private final OkHttpClient http;
  private final OkHttpClient following;

  /** A reply, with its Set-Cookie headers and Location. */
  record Page(int code, String body, List<String> setCookies, String location, String url) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  Browser(String baseUrl) {
    this.baseUrl = baseUrl;
    CookieJar jar = new CookieJar() {
      @Override
      public void saveFromResponse(HttpUrl url, List<Cookie> received) {
        synchronized (Browser.this) {
          for (Cookie c : received) {
            cookies.removeIf(o -> o.name().equals(c.name()) && o.domain().equals(c.domain())
                && o.path().equals(c.path()));
            if (c.expiresAt() > System.currentTimeMillis()) {
              cookies.add(c);
            }
          }
        }
      }

      @Override
      public List<Cookie> loadForRequest(HttpUrl url) {
        synchronized (Browser.this) {
          return cookies.stream().filter(c -> c.matches(url)).toList();
        }
      }
    };
    http = new OkHttpClient.Builder().cookieJar(jar).followRedirects(false)
        .readTimeout(Duration.ofSeconds(40)).callTimeout(Duration.ofSeconds(45)).build();
    following = http.newBuilder().followRedirects(true).build();
  }

  /** The value of the cookie named {@code name} the browser holds for the control plane, or null. */
  synchronized String cookie(String name) {
    HttpUrl url = HttpUrl.get(baseUrl);
    return cookies.stream().filter(c -> c.name().equals(name) && c.matches(url)).map(Cookie::value)
        .findFirst().orElse(null);
  }

  /** Sets a cookie for the control plane by hand (an attacker's replay, an old cookie). */
  synchronized void setCookie(String name, String value) {
    HttpUrl url = HttpUrl.get(baseUrl);
    cookies.removeIf(c -> c.name().equals(name));
    cookies.add(new Cookie.Builder().name(name).value(value).hostOnlyDomain(url.host()).path("/")
        .build());
  }

  synchronized void clearCookies() {
    cookies.clear();
  }

  Page get(String pathOrUrl) {
    return call(new Request.Builder().url(url(pathOrUrl)).get(), false);
  }

  /** GET following redirects (across hosts, like a browser). */
  Page follow(String pathOrUrl) {
    return call(new Request.Builder().url(url(pathOrUrl)).get(), true);
  }

  Page postJson(String path, Object body, Map<String, String> headers) {
    String text = body instanceof String s ? s : Json.write(body);
    Request.Builder b = new Request.Builder().url(url(path)).post(RequestBody.create(text,
        TestClient.JSON));
    headers.forEach(b::header);
    return call(b, false);
  }

  Page postForm(String pathOrUrl, Map<String, String> fields, boolean followRedirects) {
    FormBody.Builder form = new FormBody.Builder();
    fields.forEach(form::add);
    return call(new Request.Builder().url(url(pathOrUrl)).post(form.build()), followRedirects);
  }

  Page send(String method, String path, String body, Map<String, String> headers) {
    RequestBody rb = body == null ? null : RequestBody.create(body, TestClient.JSON);
    Request.Builder b = new Request.Builder().url(url(path)).method(method, rb);
    headers.forEach(b::header);
    return call(b, false);
  }

  private String url(String pathOrUrl) {
    return pathOrUrl.startsWith("http") ? pathOrUrl : baseUrl + pathOrUrl;
  }

  private Page call(Request.Builder request, boolean follow) {
    try (Response r = (follow ? following : http).newCall(request.build()).execute()) {
      return new Page(r.code(), r.body() == null ? "" : r.body().string(), r.headers("Set-Cookie"),
          r.header("Location"), r.request().url().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
