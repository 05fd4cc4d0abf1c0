package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.config.ConsoleAuthSettings;
import io.dbops.controlplane.config.OidcSettings;
import io.dbops.controlplane.tls.TestCertificates;
import io.dbops.controlplane.tls.TlsSettings;
import io.dbops.support.Json;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Console sign-in with an API token over real HTTP against a real control plane
 * (docs/console-auth.md): the cookie, cookie authentication of API routes, CSRF, binding to the
 * token, logout, the audit trail, and that the session id appears in no log and no answer.
 */
class ConsoleSessionIT {
  @TempDir Path dataDir;
  ControlPlane controlPlane;
  TestClient admin;
  RootLogCapture logs;

  @BeforeEach
  void start() {
    logs = new RootLogCapture();
    controlPlane = new ControlPlane(Fixtures.config(dataDir));
    controlPlane.start();
    admin = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
    logs.close();
  }

  private Browser signedIn(String token) {
    Browser browser = new Browser(controlPlane.baseUrl());
    Browser.Page page = browser.postJson("/console/session", Map.of("token", token), Map.of());
    assertThat(page.code()).as(page.body()).isEqualTo(200);
    return browser;
  }

  private static Map<String, String> csrf(String token) {
    return Map.of("X-CSRF-Token", token);
  }

  @Test
  void tokenSignInSetsAnHttpOnlySameSiteStrictCookieThatAuthenticatesReads() {
    String viewer = AccessFixture.token(admin, "vera", "viewer");
    Browser browser = new Browser(controlPlane.baseUrl());

    Browser.Page page = browser.postJson("/console/session", Map.of("token", viewer), Map.of());

    assertThat(page.code()).as(page.body()).isEqualTo(200);
    assertThat(page.setCookies()).hasSize(1);
    String setCookie = page.setCookies().get(0);
    String id = browser.cookie("dbops_session");
    assertThat(id).isNotBlank().hasSizeGreaterThanOrEqualTo(43); // 256 bits, base64url
    assertThat(setCookie).isEqualTo("dbops_session=" + id + "; Path=/; HttpOnly; SameSite=Strict");
    assertThat(page.json().path("name").asText()).isEqualTo("vera");
    assertThat(page.json().path("roles")).extracting(JsonNode::asText).containsExactly("viewer");
    String csrfToken = page.json().path("csrfToken").asText();
    assertThat(csrfToken).isNotBlank().isNotEqualTo(id);
    assertThat(page.body()).doesNotContain(id).doesNotContain(viewer);

    Browser.Page me = browser.get("/api/v1/session");
    assertThat(me.code()).as(me.body()).isEqualTo(200);
    assertThat(me.json().path("via").asText()).isEqualTo("session-token");
    assertThat(me.json().path("name").asText()).isEqualTo("vera");
    assertThat(me.json().path("verbs")).extracting(JsonNode::asText).containsExactly("read");
    assertThat(me.json().path("csrfToken").asText()).isEqualTo(csrfToken);
    assertThat(me.json().path("expiresAt").asText()).isNotBlank();
    assertThat(me.body()).doesNotContain(id);
    assertThat(browser.get("/api/v1/executions").code()).isEqualTo(200);
    // a viewer's session is still a viewer: approving is refused with the role rule
    Browser.Page approve = browser.postJson("/api/v1/executions/x1/approvals",
        Map.of("decision", "approve"), csrf(csrfToken));
    assertThat(approve.code()).as(approve.body()).isEqualTo(403);
    assertThat(approve.json().path("message").asText()).contains("needs verb 'approve'");

    Browser.Page config = browser.get("/console/config");
    assertThat(config.code()).isEqualTo(200);
    assertThat(config.json().path("oidc").asBoolean(true)).isFalse();
    // the bearer path names itself as such
    JsonNode bearerView = admin.get("/api/v1/session").json();
    assertThat(bearerView.path("via").asText()).isEqualTo("token");
    assertThat(bearerView.path("csrfToken").isMissingNode() || bearerView.path("csrfToken").isNull())
        .as("only a console session has a CSRF token").isTrue();
    assertThat(logs.text()).doesNotContain(id).doesNotContain(csrfToken);
  }

  @Test
  void aFormPostSignsInAndAWrongTokenGets401AndNoCookie() {
    String deployer = AccessFixture.token(admin, "dora", "deployer");
    Browser form = new Browser(controlPlane.baseUrl());
    Browser.Page ok = form.postForm("/console/session", Map.of("token", deployer), false);
    assertThat(ok.code()).as(ok.body()).isEqualTo(200);
    assertThat(form.cookie("dbops_session")).isNotBlank();

    Browser wrong = new Browser(controlPlane.baseUrl());
    Browser.Page refused = wrong.postJson("/console/session",
        Map.of("token", "dbops_pat_canary-not-a-real-token"), Map.of());
    assertThat(refused.code()).isEqualTo(401);
    assertThat(refused.setCookies()).isEmpty();
    assertThat(refused.body()).doesNotContain("canary-not-a-real-token");
    assertThat(refused.json().path("message").asText()).contains("POST /console/session");

    // a sign-in posted from another site is refused (login CSRF); from the console's own origin it works
    Browser.Page foreign = wrong.postForm("/console/session", Map.of("token", deployer), false);
    assertThat(foreign.code()).isEqualTo(200); // no Origin: not a cross-site browser post
    Browser crossSite = new Browser(controlPlane.baseUrl());
    Browser.Page evil = crossSite.postJson("/console/session", Map.of("token", deployer),
        Map.of("Origin", "https://evil.example"));
    assertThat(evil.code()).as(evil.body()).isEqualTo(403);
    assertThat(evil.json().path("code").asText()).isEqualTo("csrf");
    assertThat(evil.setCookies()).isEmpty();
    Browser.Page sameOrigin = crossSite.postJson("/console/session", Map.of("token", deployer),
        Map.of("Origin", controlPlane.baseUrl()));
    assertThat(sameOrigin.code()).as(sameOrigin.body()).isEqualTo(200);

    Browser.Page empty = wrong.postJson("/console/session", Map.of("nope", "x"), Map.of());
    assertThat(empty.code()).isEqualTo(400);
    assertThat(empty.json().path("message").asText()).contains("'token'");
    Browser.Page notJson = wrong.postJson("/console/session",
        "{\"token\": dbops_pat_canaryunquoted}", Map.of());
    assertThat(notJson.code()).isEqualTo(400);
    assertThat(notJson.body()).doesNotContain("canaryunquoted");

    JsonNode audit = admin.get("/api/v1/audit?action=console.signin").json();
    assertThat(audit.findValuesAsText("outcome")).contains("ok", "refused: 401 unauthorized");
    assertThat(audit.findValuesAsText("actor")).anyMatch(a -> a.startsWith("dora ("));
  }

  @Test
  void withTheCookieAPostNeedsTheCsrfTokenAndChangesNothingWithoutIt() {
    Browser browser = signedIn(controlPlane.adminToken());
    String csrfToken = browser.get("/api/v1/session").json().path("csrfToken").asText();
    int before = admin.get("/api/v1/access/tokens").json().size();
    Map<String, Object> request = Map.of("name", "made-by-console", "roles", List.of("viewer"));

    Browser.Page none = browser.postJson("/api/v1/access/tokens", request, Map.of());
    Browser.Page wrong = browser.postJson("/api/v1/access/tokens", request,
        csrf(csrfToken.substring(1) + "x"));
    Browser.Page deleteWithout = browser.send("DELETE", "/api/v1/access/tokens/x1", null, Map.of());

    for (Browser.Page refused : List.of(none, wrong, deleteWithout)) {
      assertThat(refused.code()).as(refused.body()).isEqualTo(403);
      assertThat(refused.json().path("code").asText()).isEqualTo("csrf");
      assertThat(refused.json().path("message").asText()).contains("X-CSRF-Token");
    }
    assertThat(admin.get("/api/v1/access/tokens").json().size()).isEqualTo(before);

    Browser.Page ok = browser.postJson("/api/v1/access/tokens", request, csrf(csrfToken));
    assertThat(ok.code()).as(ok.body()).isEqualTo(201);
    assertThat(admin.get("/api/v1/access/tokens").json().size()).isEqualTo(before + 1);
    // an Authorization header wins over the cookie: no CSRF token needed for a bearer call
    Browser.Page bearer = browser.postJson("/api/v1/access/tokens", Map.of("name", "by-bearer",
        "roles", List.of("viewer")), Map.of("Authorization", "Bearer " + controlPlane.adminToken()));
    assertThat(bearer.code()).as(bearer.body()).isEqualTo(201);

    JsonNode refusals = admin.get("/api/v1/audit?action=access.refused").json();
    assertThat(refusals.findValuesAsText("outcome")).contains("refused: 403 csrf");
  }

  @Test
  void aRevokedTokensSessionStopsWorking() {
    String token = AccessFixture.token(admin, "rita", "deployer");
    Browser browser = signedIn(token);
    assertThat(browser.get("/api/v1/executions").code()).isEqualTo(200);
    String id = admin.get("/api/v1/whoami", token).json().path("id").asText();

    assertThat(admin.delete("/api/v1/access/tokens/" + id).code()).isEqualTo(200);

    Browser.Page refused = browser.get("/api/v1/executions");
    assertThat(refused.code()).isEqualTo(401);
    assertThat(refused.json().path("message").asText()).contains("revoked");
    assertThat(browser.get("/api/v1/session").code()).isEqualTo(401);
  }

  @Test
  void logoutDeletesTheSessionServerSideAndIsAudited() {
    String token = AccessFixture.token(admin, "lars", "viewer");
    Browser browser = signedIn(token);
    String id = browser.cookie("dbops_session");
    String csrfToken = browser.get("/api/v1/session").json().path("csrfToken").asText();

    Browser.Page withoutCsrf = browser.postJson("/console/logout", "{}", Map.of());
    assertThat(withoutCsrf.code()).isEqualTo(403);
    assertThat(withoutCsrf.json().path("code").asText()).isEqualTo("csrf");
    assertThat(browser.get("/api/v1/session").code()).isEqualTo(200);

    Browser.Page out = browser.postJson("/console/logout", "{}", csrf(csrfToken));
    assertThat(out.code()).as(out.body()).isEqualTo(204);
    assertThat(out.setCookies()).containsExactly(
        "dbops_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
    // the old cookie, replayed, is refused: the session is gone on the server
    browser.setCookie("dbops_session", id);
    Browser.Page replay = browser.get("/api/v1/session");
    assertThat(replay.code()).isEqualTo(401);
    assertThat(replay.json().path("message").asText()).contains("sign in again");
    assertThat(replay.body()).doesNotContain(id);

    // an HTML form may send the CSRF token as the form field csrf
    Browser form = signedIn(token);
    String formCsrf = form.get("/api/v1/session").json().path("csrfToken").asText();
    Browser.Page formOut = form.postForm("/console/logout", Map.of("csrf", formCsrf), false);
    assertThat(formOut.code()).as(formOut.body()).isEqualTo(204);
    assertThat(form.get("/api/v1/session").code()).isEqualTo(401);

    // a bearer token cannot "log out"
    TestClient.Reply bearer = admin.post("/console/logout", "{}");
    assertThat(bearer.code()).isEqualTo(400);

    JsonNode out1 = admin.get("/api/v1/audit?action=console.signout").json();
    assertThat(out1.size()).isEqualTo(2);
    assertThat(out1.findValuesAsText("actor")).allMatch(a -> a.startsWith("lars ("));
    assertThat(out1.findValuesAsText("outcome")).containsOnly("ok");
    assertThat(logs.text()).doesNotContain(id);
  }

  @Test
  void anEndedSessionsCookieIsNotThrottledSoThePersonCanSignInAgain() {
    String token = AccessFixture.token(admin, "tabs", "viewer");
    Browser browser = signedIn(token);
    String csrfToken = browser.get("/api/v1/session").json().path("csrfToken").asText();
    assertThat(browser.postJson("/console/logout", "{}", csrf(csrfToken)).code()).isEqualTo(204);
    String id = browser.cookie("dbops_session");
    assertThat(id).isNull();
    browser.setCookie("dbops_session", "an-ended-session-left-in-many-tabs");
    for (int i = 0; i < 15; i++) { // beyond DBOPS_AUTH_FAILURE_LIMIT (10 a minute)
      assertThat(browser.get("/api/v1/executions").code()).isEqualTo(401);
    }
    Browser.Page again = browser.postJson("/console/session", Map.of("token", token), Map.of());
    assertThat(again.code()).as(again.body()).isEqualTo(200);
    // wrong tokens at sign-in are throttled like bearer tokens
    Browser guesser = new Browser(controlPlane.baseUrl());
    int last = 0;
    for (int i = 0; i < 12; i++) {
      last = guesser.postJson("/console/session", Map.of("token", "dbops_pat_guess" + i), Map.of())
          .code();
    }
    assertThat(last).isEqualTo(429);
  }

  @Test
  void oidcRoutesSayWhenOidcIsNotConfiguredOrTheProviderIsDown() {
    Browser browser = new Browser(controlPlane.baseUrl());
    Browser.Page off = browser.get("/console/oidc/login");
    assertThat(off.code()).isEqualTo(404);
    assertThat(off.json().path("message").asText()).contains("DBOPS_OIDC_ISSUER");
    assertThat(browser.get("/console/oidc/callback?state=a&code=b").code()).isEqualTo(404);

    controlPlane.close();
    int closedPort = io.dbops.testsupport.Ports.freeRange(0); // nothing listens there
    OidcSettings down = OidcSettings.fromEnvironment(new io.dbops.config.EnvReader(Map.of(
        "DBOPS_OIDC_ISSUER", "http://127.0.0.1:" + closedPort + "/realms/dbops",
        "DBOPS_OIDC_CLIENT_ID", "dbops", "DBOPS_OIDC_ROLE_MAP", "all=viewer")));
    controlPlane = new ControlPlane(Fixtures.builder(dataDir)
        .consoleAuth(ConsoleAuthSettings.DEFAULT.withOidc(down)).build());
    controlPlane.start();
    Browser again = new Browser(controlPlane.baseUrl());
    assertThat(again.get("/console/config").json().path("oidc").asBoolean()).isTrue();
    Browser.Page unavailable = again.get("/console/oidc/login");
    assertThat(unavailable.code()).isEqualTo(503);
    assertThat(unavailable.body()).contains("data-code=\"oidc_unavailable\"")
        .contains("DBOPS_OIDC_ISSUER").contains("sign in with an API token");
    // token sign-in still works
    assertThat(again.postJson("/console/session", Map.of("token", controlPlane.adminToken()),
        Map.of()).code()).isEqualTo(200);
  }

  @Test
  void theCookieIsSecureWhenTheControlPlaneServesTls() throws Exception {
    controlPlane.close();
    TestCertificates certs = new TestCertificates();
    Path cert = dataDir.resolve("tls.crt");
    Path key = dataDir.resolve("tls.key");
    certs.writeServer(cert, key, TestCertificates.KeyFormat.PKCS8);
    controlPlane = new ControlPlane(Fixtures.builder(dataDir.resolve("tls-data"))
        .tls(TlsSettings.of(cert, key, Duration.ofSeconds(5))).build());
    controlPlane.start();
    OkHttpClient client = new OkHttpClient.Builder()
        .sslSocketFactory(certs.clientContext().getSocketFactory(), certs.trustManager())
        .callTimeout(Duration.ofSeconds(30)).build();
    Request signIn = new Request.Builder().url(controlPlane.baseUrl() + "/console/session")
        .post(RequestBody.create(Json.write(Map.of("token", controlPlane.adminToken())),
            TestClient.JSON)).build();
    try (Response response = client.newCall(signIn).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.headers("Set-Cookie")).singleElement().asString()
          .startsWith("dbops_session=").endsWith("; Path=/; HttpOnly; SameSite=Strict; Secure");
    } finally {
      client.connectionPool().evictAll();
      client.dispatcher().executorService().shutdown();
    }
  }

  @Test
  void theCookieIsSecureWhenConfigured() {
    controlPlane.close();
    controlPlane = new ControlPlane(Fixtures.builder(dataDir).consoleAuth(new ConsoleAuthSettings(
        Duration.ofHours(1), Duration.ofMinutes(1), true, null)).build());
    controlPlane.start();
    Browser browser = new Browser(controlPlane.baseUrl());
    Browser.Page page = browser.postJson("/console/session",
        Map.of("token", controlPlane.adminToken()), Map.of());
    assertThat(page.code()).isEqualTo(200);
    assertThat(page.setCookies().get(0)).endsWith("; Path=/; HttpOnly; SameSite=Strict; Secure");
    // OkHttp, like a browser, keeps a Secure cookie away from plain http: send it by hand
    String id = page.setCookies().get(0).substring("dbops_session=".length(),
        page.setCookies().get(0).indexOf(';'));
    Map<String, String> headers = new HashMap<>();
    headers.put("Cookie", "dbops_session=" + id);
    assertThat(browser.send("GET", "/api/v1/session", null, headers).code()).isEqualTo(200);
  }
}
