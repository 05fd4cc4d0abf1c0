package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.config.EnvReader;
import io.dbops.controlplane.config.ConsoleAuthSettings;
import io.dbops.controlplane.config.OidcSettings;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.ApprovalRule;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import io.dbops.protocol.Frame;
import io.dbops.protocol.InitStageOutput;
import io.dbops.protocol.StepOutput;
import io.dbops.protocol.TaskStatus;
import io.dbops.protocol.TaskTypes;
import io.dbops.support.Json;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OIDC sign-in against a real OpenID provider over real HTTP in this JVM (mock-oauth2-server, its
 * interactive login form posted like a browser would) and a real control plane: authorization
 * code with PKCE S256, groups mapped to roles, and every refusal (state, replay, audience, nonce,
 * no mapped group).
 */
class OidcSignInIT {
  static final String CLIENT_SECRET = "canary-oidc-client-secret-4711";

  @TempDir Path dataDir;
  MockOAuth2Server idp;
  ControlPlane controlPlane;
  TestClient admin;
  RootLogCapture logs;

  @BeforeEach
  void start() {
    logs = new RootLogCapture();
    idp = new MockOAuth2Server(new OAuth2Config(true));
    idp.start();
    OidcSettings oidc = OidcSettings.fromEnvironment(new EnvReader(Map.of(
        "DBOPS_OIDC_ISSUER", idp.issuerUrl("default").toString(),
        "DBOPS_OIDC_CLIENT_ID", "dbops-console",
        "DBOPS_OIDC_CLIENT_SECRET", CLIENT_SECRET,
        "DBOPS_OIDC_ROLE_MAP", "dba=approver,approvers=approver,dev=deployer:dev|staging,all=viewer,ops=admin")));
    controlPlane = new ControlPlane(Fixtures.builder(dataDir)
        .consoleAuth(ConsoleAuthSettings.DEFAULT.withOidc(oidc)).build());
    controlPlane.start();
    admin = TestClient.of(controlPlane);
  }

  @AfterEach
  void stop() {
    controlPlane.close();
    idp.shutdown();
    logs.close();
  }

  /** What the identity provider redirected the browser back with. */
  record Callback(String url, String loginCookie) {}

  /** Starts at the console, posts the provider's login form; returns the callback not yet followed. */
  Callback authorize(Browser browser, String user, Map<String, Object> claims) {
    Browser.Page login = browser.get("/console/oidc/login");
    assertThat(login.code()).as(login.body()).isEqualTo(302);
    assertThat(login.setCookies()).singleElement().asString()
        .startsWith("dbops_oidc=").endsWith("; Path=/console/oidc; Max-Age=600; HttpOnly; SameSite=Lax");
    String authorize = login.location();
    assertThat(authorize).startsWith(idp.authorizationEndpointUrl("default").toString());
    Browser.Page form = browser.get(authorize);
    assertThat(form.code()).isEqualTo(200);
    assertThat(form.body()).contains("name=\"username\"");
    Browser.Page back = browser.postForm(authorize, Map.of("username", user,
        "claims", Json.write(claims)), false);
    assertThat(back.code()).as(back.body()).isEqualTo(302);
    assertThat(back.location()).startsWith(controlPlane.baseUrl() + "/console/oidc/callback?");
    String loginCookie;
    synchronized (browser) {
      loginCookie = browser.cookies.stream().filter(c -> c.name().equals("dbops_oidc"))
          .findFirst().orElseThrow().value();
    }
    return new Callback(back.location(), loginCookie);
  }

  Browser signIn(String user, List<String> groups) {
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, user, Map.of("groups", groups));
    Browser.Page done = browser.get(cb.url());
    assertThat(done.code()).as(done.body()).isEqualTo(302);
    assertThat(done.location()).isEqualTo("/");
    assertThat(browser.cookie("dbops_session")).isNotBlank();
    return browser;
  }

  private List<RecordedRequest> idpRequests() {
    List<RecordedRequest> seen = new ArrayList<>();
    while (true) {
      try {
        seen.add(idp.takeRequest(1, TimeUnit.SECONDS));
      } catch (RuntimeException e) { // "no request found in queue within timeout": all taken
        return seen;
      }
    }
  }

  @Test
  void anAuthorizationCodeSignInWithPkceMapsTheGroupsToRoles() {
    assertThat(admin.anonymous().get("/console/config").json().path("oidc").asBoolean()).isTrue();
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, "alice", Map.of("groups", List.of("dba", "unrelated")));
    Browser.Page done = browser.get(cb.url());

    assertThat(done.code()).as(done.body()).isEqualTo(302);
    assertThat(done.location()).isEqualTo("/");
    assertThat(done.setCookies()).anyMatch(c -> c.startsWith("dbops_session=")
        && c.endsWith("; Path=/; HttpOnly; SameSite=Strict"));
    assertThat(done.setCookies()).anyMatch(c -> c.startsWith("dbops_oidc=; Path=/console/oidc; Max-Age=0"));
    JsonNode me = browser.get("/api/v1/session").json();
    assertThat(me.path("via").asText()).isEqualTo("oidc");
    assertThat(me.path("name").asText()).isEqualTo("alice");
    assertThat(me.path("roles")).extracting(JsonNode::asText).containsExactly("approver");
    assertThat(me.path("verbs")).extracting(JsonNode::asText).containsExactly("read", "approve");
    assertThat(me.path("environments")).isEmpty();
    assertThat(me.path("csrfToken").asText()).isNotBlank();
    assertThat(browser.get("/api/v1/executions").code()).isEqualTo(200);

    List<RecordedRequest> seen = idpRequests();
    HttpUrl authorizeCall = seen.stream().map(RecordedRequest::getRequestUrl)
        .filter(u -> u.encodedPath().endsWith("/authorize") && u.queryParameter("code_challenge") != null)
        .findFirst().orElseThrow();
    assertThat(authorizeCall.queryParameter("code_challenge_method")).isEqualTo("S256");
    assertThat(authorizeCall.queryParameter("code_challenge")).hasSize(43);
    assertThat(authorizeCall.queryParameter("nonce")).isNotBlank();
    assertThat(authorizeCall.queryParameter("scope")).isEqualTo("openid profile email");
    assertThat(authorizeCall.queryParameter("redirect_uri"))
        .isEqualTo(controlPlane.baseUrl() + "/console/oidc/callback");
    RecordedRequest token = seen.stream().filter(r -> r.getPath().endsWith("/token")).findFirst()
        .orElseThrow();
    String tokenBody = token.getBody().readUtf8();
    assertThat(tokenBody).contains("code_verifier=").contains("grant_type=authorization_code");
    assertThat(token.getHeader("Authorization")).startsWith("Basic "); // the client secret

    JsonNode audit = admin.get("/api/v1/audit?action=console.signin").json();
    assertThat(audit.findValuesAsText("actor")).anyMatch(a -> a.matches("alice \\(oidc-[0-9a-f]{12}\\)"));
    assertThat(audit.findValuesAsText("outcome")).containsOnly("ok");
    String everything = logs.text() + audit + me;
    assertThat(everything).doesNotContain(CLIENT_SECRET)
        .doesNotContain(browser.cookie("dbops_session"));
  }

  @Test
  void aViewerGroupGets403OnApproveAndAnEnvironmentLimitHolds() {
    Browser viewer = signIn("bob", List.of("all"));
    String csrf = viewer.get("/api/v1/session").json().path("csrfToken").asText();
    Browser.Page approve = viewer.postJson("/api/v1/executions/x1/approvals",
        Map.of("decision", "approve"), Map.of("X-CSRF-Token", csrf));
    assertThat(approve.code()).as(approve.body()).isEqualTo(403);
    assertThat(approve.json().path("code").asText()).isEqualTo("forbidden");
    assertThat(approve.json().path("message").asText()).contains("needs verb 'approve'")
        .contains("'bob'");

    Browser dev = signIn("dana", List.of("dev"));
    JsonNode me = dev.get("/api/v1/session").json();
    assertThat(me.path("roles")).extracting(JsonNode::asText).containsExactly("deployer");
    assertThat(me.path("environments")).extracting(JsonNode::asText)
        .containsExactly("dev", "staging");

    // logout ends an OIDC session like any other
    String devCsrf = me.path("csrfToken").asText();
    String id = dev.cookie("dbops_session");
    assertThat(dev.postJson("/console/logout", "{}", Map.of("X-CSRF-Token", devCsrf)).code())
        .isEqualTo(204);
    dev.setCookie("dbops_session", id);
    assertThat(dev.get("/api/v1/session").code()).isEqualTo(401);
    JsonNode out = admin.get("/api/v1/audit?action=console.signout").json();
    assertThat(out.findValuesAsText("actor")).singleElement().asString().startsWith("dana (oidc-");
  }

  @Test
  void anOidcSessionsGroupsSatisfyAnApprovalRulesGroups() throws Exception {
    String delegateToken = admin.post("/api/v1/tokens", "{\"name\":\"d\"}")
        .as(TokenCreated.class).token();
    try (TestDelegate delegate = new TestDelegate("inst-oidc-approvals")) {
      delegate.connect(admin.http, controlPlane.baseUrl(), delegateToken, 2, List.of());
      delegate.runWith(a -> switch (a.taskType()) {
        case TaskTypes.INIT_STAGE -> new Frame.TaskResult(a.taskId(), a.attempt(),
            TaskStatus.SUCCEEDED, null, Json.tree(new InitStageOutput(
                a.payload().get("podName").asText(), "127.0.0.1:40123", List.of(20002, 20003))));
        case TaskTypes.EXECUTE_STEP -> new Frame.TaskResult(a.taskId(), a.attempt(),
            TaskStatus.SUCCEEDED, null, Json.tree(new StepOutput("SUCCEEDED", null, Map.of(),
                List.of(), 5, 1, 0)));
        default -> new Frame.TaskResult(a.taskId(), a.attempt(), TaskStatus.SUCCEEDED, null, null);
      });
      Step approve = new Step("approve", "approval", null, null, null, null, null, null, null,
          null, null, null, null, null, null, null, null, null, null, null, null,
          new ApprovalRule(1, List.of(), List.of("dba"), false, 900));
      Pipeline pipeline = new Pipeline("orders", List.of(new Stage("prod",
          new io.dbops.pipeline.Database("jdbc:h2:mem:orders", "sa", null),
          List.of(approve, Fixtures.step("apply", "apply")), List.of(), 0)));
      TestClient.Reply submitted = admin.post("/api/v1/executions", pipeline);
      assertThat(submitted.code()).as(submitted.body()).isEqualTo(201);
      String id = submitted.json().path("id").asText();
      String path = "/api/v1/executions/" + id;
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
          admin.get(path).json().path("status").asText()).isEqualTo("WAITING_APPROVAL"));

      // an approver by role whose groups do not include dba, and an API token (no groups at all)
      Browser other = signIn("olga", List.of("approvers"));
      String otherCsrf = other.get("/api/v1/session").json().path("csrfToken").asText();
      Browser.Page notInGroup = other.postJson(path + "/approvals", Map.of("decision", "approve"),
          Map.of("X-CSRF-Token", otherCsrf));
      assertThat(notInGroup.code()).as(notInGroup.body()).isEqualTo(403);
      assertThat(notInGroup.json().path("message").asText()).contains("[approvers]")
          .contains("needs one of [dba]");
      String tokenApprover = AccessFixture.token(admin, "tom", "approver");
      assertThat(admin.post(path + "/approvals", Map.of("decision", "approve"), tokenApprover)
          .code()).isEqualTo(403);

      Browser alice = signIn("alice", List.of("dba"));
      String csrf = alice.get("/api/v1/session").json().path("csrfToken").asText();
      Browser.Page approved = alice.postJson(path + "/approvals", Map.of("decision", "approve",
          "comment", "read in the console"), Map.of("X-CSRF-Token", csrf));
      assertThat(approved.code()).as(approved.body()).isEqualTo(200);
      assertThat(approved.json().path("status").asText()).isEqualTo("APPROVED");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
          admin.get(path).json().path("status").asText()).isEqualTo("SUCCEEDED"));
      JsonNode decisions = admin.get("/api/v1/audit?action=approval.approve").json();
      assertThat(decisions.findValuesAsText("actor")).anyMatch(a -> a.startsWith("alice (oidc-"));
    }
  }

  @Test
  void aWrongStateIsRefused() {
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, "mallory", Map.of("groups", List.of("ops")));
    String forged = HttpUrl.get(cb.url()).newBuilder().setQueryParameter("state", "forged-state")
        .build().toString();

    Browser.Page refused = browser.get(forged);

    assertThat(refused.code()).isEqualTo(400);
    assertThat(refused.body()).contains("data-code=\"oidc_state\"").contains("does not match");
    assertThat(browser.cookie("dbops_session")).isNull();
    // a callback without the browser's login cookie is refused too
    Browser other = new Browser(controlPlane.baseUrl());
    Browser.Page noCookie = other.get(cb.url());
    assertThat(noCookie.code()).isEqualTo(400);
    assertThat(noCookie.body()).contains("dbops_oidc cookie is missing");
    assertThat(other.cookie("dbops_session")).isNull();
  }

  @Test
  void aReplayedCallbackOrCodeIsRefused() {
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, "alice", Map.of("groups", List.of("dba")));
    assertThat(browser.get(cb.url()).code()).isEqualTo(302);

    // the same callback again, with the login cookie put back (a captured request replayed)
    Browser attacker = new Browser(controlPlane.baseUrl());
    attacker.setCookie("dbops_oidc", cb.loginCookie());
    Browser.Page replay = attacker.get(cb.url());
    assertThat(replay.code()).isEqualTo(400);
    assertThat(replay.body()).contains("data-code=\"oidc_replay\"");
    assertThat(attacker.cookie("dbops_session")).isNull();

    // the code alone, in a fresh sign-in of the attacker's own
    attacker.clearCookies();
    Callback own = authorize(attacker, "mallory", Map.of("groups", List.of("dba")));
    String stolenCode = HttpUrl.get(cb.url()).queryParameter("code");
    String withStolenCode = HttpUrl.get(own.url()).newBuilder().setQueryParameter("code",
        stolenCode).build().toString();
    Browser.Page stolen = attacker.get(withStolenCode);
    assertThat(stolen.code()).isEqualTo(400);
    assertThat(stolen.body()).contains("data-code=\"oidc_replay\"");
    assertThat(attacker.cookie("dbops_session")).isNull();
  }

  @Test
  void anIdTokenForAnotherAudienceOrWithAnotherNonceIsRefused() {
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, "eve", Map.of("groups", List.of("ops"), "aud",
        "some-other-client"));
    Browser.Page audience = browser.get(cb.url());
    assertThat(audience.code()).isEqualTo(401);
    assertThat(audience.body()).contains("data-code=\"oidc_refused\"")
        .contains("issued for another client").contains("DBOPS_OIDC_CLIENT_ID");
    assertThat(browser.cookie("dbops_session")).isNull();

    Browser second = new Browser(controlPlane.baseUrl());
    Callback cb2 = authorize(second, "eve", Map.of("groups", List.of("ops")));
    String[] parts = cb2.loginCookie().split("\\.");
    second.setCookie("dbops_oidc", parts[0] + "." + parts[1] + ".another-nonce-than-sent");
    Browser.Page nonce = second.get(cb2.url());
    assertThat(nonce.code()).isEqualTo(401);
    assertThat(nonce.body()).contains("nonce does not match");
    assertThat(second.cookie("dbops_session")).isNull();

    JsonNode audit = admin.get("/api/v1/audit?action=console.signin").json();
    assertThat(audit.findValuesAsText("outcome")).contains("refused: 401 oidc_refused");
  }

  @Test
  void anIdentityWithoutAMappedGroupIsRefusedNamingTheRoleMap() {
    Browser browser = new Browser(controlPlane.baseUrl());
    Callback cb = authorize(browser, "carol", Map.of("groups", List.of("marketing")));

    Browser.Page refused = browser.get(cb.url());

    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.body()).contains("DBOPS_OIDC_ROLE_MAP").contains("marketing")
        .contains("data-code=\"oidc_no_role\"");
    assertThat(browser.cookie("dbops_session")).isNull();
    JsonNode audit = admin.get("/api/v1/audit?action=console.signin").json();
    assertThat(audit.findValuesAsText("actor")).anyMatch(a -> a.startsWith("carol (oidc-"));
    assertThat(audit.findValuesAsText("outcome")).contains("refused: 403 oidc_no_role");
  }
}
