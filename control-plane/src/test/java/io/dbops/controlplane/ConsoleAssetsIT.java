package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's shell and assets as the real server serves them (issue #17): open, with a
 * strict Content-Security-Policy and revalidation; nothing but the console's own files; the API
 * behind them still needs a credential. Plus checks of the assets themselves that keep the CSP
 * and the no-markup-from-data rule honest.
 */
class ConsoleAssetsIT {
  /** The console's open routes (ConsoleRoutes): the shell and its assets carry no data. */
  static final List<String> OPEN = List.of("GET /", "GET /login", "GET /executions",
      "GET /executions/{id}", "GET /approvals", "GET /state", "GET /state/targets/{name}",
      "GET /delegates", "GET /admin", "GET /console/assets/{file}", "GET /favicon.ico");

  static final List<String> ASSETS = List.of("index.html", "console.css", "favicon.svg", "app.js",
      "api.js", "dom.js", "sql.js", "login.js", "executions.js", "execution.js", "logview.js",
      "approvals.js", "state.js", "delegates.js", "admin.js");

  @TempDir static Path dataDir;
  static ControlPlane controlPlane;
  static final OkHttpClient http = new OkHttpClient();

  @BeforeAll
  static void start() {
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).build());
    controlPlane.start();
  }

  @AfterAll
  static void stop() {
    controlPlane.close();
  }

  record Got(int code, String body, okhttp3.Headers headers) {}

  static Got get(String path, String ifNoneMatch) throws IOException {
    Request.Builder b = new Request.Builder().url(controlPlane.baseUrl() + path);
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    try (Response r = http.newCall(b.build()).execute()) {
      return new Got(r.code(), r.body() == null ? "" : r.body().string(), r.headers());
    }
  }

  @Test
  void everyPageIsTheShellWithAStrictPolicyAndNoCredential() throws Exception {
    for (String page : List.of("/", "/login", "/executions", "/executions/ex-abcdefabcdef",
        "/approvals", "/state", "/state/targets/orders-eu", "/delegates", "/admin")) {
      Got shell = get(page, null);
      assertThat(shell.code()).as(page).isEqualTo(200);
      assertThat(shell.headers().get("Content-Type")).startsWith("text/html");
      assertThat(shell.body()).contains("<script type=\"module\" src=\"/console/assets/app.js\">");
      String csp = shell.headers().get("Content-Security-Policy");
      assertThat(csp).contains("default-src 'self'").contains("script-src 'self'")
          .contains("frame-ancestors 'none'").contains("object-src 'none'")
          .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(shell.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(shell.headers().get("X-Frame-Options")).isEqualTo("DENY");
      assertThat(shell.headers().get("Cache-Control")).isEqualTo("no-cache");
    }
  }

  @Test
  void assetsHaveTheirTypeAndRevalidateWithTheirEtag() throws Exception {
    Got js = get("/console/assets/app.js", null);
    assertThat(js.code()).isEqualTo(200);
    assertThat(js.headers().get("Content-Type")).startsWith("text/javascript");
    assertThat(get("/console/assets/console.css", null).headers().get("Content-Type")).startsWith("text/css");
    String etag = js.headers().get("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    Got again = get("/console/assets/app.js", etag);
    assertThat(again.code()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(get("/console/assets/app.js", "\"other\"").code()).isEqualTo(200);
  }

  @Test
  void nothingButTheConsolesOwnFilesIsServed() throws Exception {
    for (String path : List.of("/console/assets/nope.js", "/console/assets/ConsoleRoutes.class",
        "/console/assets/..%2Fdb%2Fchangelog.xml", "/console/assets/%2e%2e%2fdb%2fchangelog.xml",
        "/console/assets/..%5Cdb%5Cchangelog.xml", "/console/db/changelog.xml", "/index.html")) {
      Got got = get(path, null);
      assertThat(got.code()).as(path).isEqualTo(404);
      assertThat(got.body()).as(path).doesNotContain("databaseChangeLog").doesNotContain("<html");
    }
    assertThat(get("/console/assets/nope.js", null).body())
        .contains("No console asset 'nope.js'; the console serves only its own files");
  }

  @Test
  void theDataBehindThePagesStillNeedsACredential() throws Exception {
    assertThat(get("/api/v1/executions", null).code()).isEqualTo(401);
    assertThat(get("/api/v1/approvals", null).code()).isEqualTo(401);
  }

  @Test
  void theAssetsKeepThePolicyNoInlineScriptNoMarkupFromDataAndEveryImportExists() throws Exception {
    long total = 0;
    Pattern importPattern = Pattern.compile("from '\\./([a-z]+\\.js)'");
    List<String> problems = new ArrayList<>();
    for (String name : ASSETS) {
      String text = resource(name);
      total += text.getBytes(StandardCharsets.UTF_8).length;
      if (name.endsWith(".js")) {
        for (String banned : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
            "eval(", "new Function", "http://", "https://")) {
          if (text.contains(banned)) {
            problems.add(name + " uses " + banned);
          }
        }
        Matcher m = importPattern.matcher(text);
        while (m.find()) {
          if (!ASSETS.contains(m.group(1))) {
            problems.add(name + " imports " + m.group(1) + ", which the console does not serve");
          }
        }
      }
      if (name.endsWith(".html")) {
        if (Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(text).find()) {
          problems.add(name + " has an inline script");
        }
        if (Pattern.compile("\\s(on[a-z]+|style)=").matcher(text).find()) {
          problems.add(name + " has an inline handler or style");
        }
      }
    }
    assertThat(problems).isEmpty();
    // the whole console, uncompressed, stays well under the 200 KB first-page budget
    assertThat(total).isLessThan(150_000);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleAssetsIT.class.getResourceAsStream("/io/dbops/controlplane/console/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
