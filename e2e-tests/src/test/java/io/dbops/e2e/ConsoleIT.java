package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dbops.support.Secrets;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web console (issue #17) in real headless Chromium against the distribution: a {@code dbops
 * server}, a {@code dbops delegate} with the local runtime and PostgreSQL. Identities: the
 * bootstrap admin (starts runs with {@code dbops run}), {@code bob} (approver) and {@code vera}
 * (viewer), each signed in with a token in their own browser profile.
 */
class ConsoleIT {
  static final Duration WAIT = Duration.ofMinutes(3);
  static final String CANARY = "console-canary-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir static Path work;
  static Cluster cluster;
  static Cluster.Server server;
  static String bob;
  static String vera;
  static int browsers;

  @BeforeAll
  static void start() throws Exception {
    Browser.assumeAvailable();
    cluster = new Cluster(work);
    server = cluster.server("server", 0, Map.of());
    cluster.delegate(server.url(), server.api().createToken("console"), "console", "delegate",
        Map.of("E2E_PASSWORD", ""));
    bob = identity("bob", "approver");
    vera = identity("vera", "viewer");
    DbopsProcess secret = DbopsProcess.run(work, Map.of("E2E_STORE_PASSWORD", CANARY), Duration.ofMinutes(1),
        "secret", "create", "console-db", "--value-env", "E2E_STORE_PASSWORD", "--server", server.url());
    assertThat(secret.exitCode()).as(secret.text()).isZero();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void signsInWithATokenRefusesAWrongOneAndSignsOut() throws Exception {
    try (Browser b = browser()) {
      b.open("/approvals");
      b.await(By.id("token"));
      assertThat(b.driver.getCurrentUrl()).contains("/login?next=%2Fapprovals");
      b.screenshot("login");
      b.driver.findElement(By.id("token")).sendKeys("dbops_pat_not-a-real-token-" + CANARY);
      b.driver.findElement(By.id("sign-in")).click();
      b.awaitText(By.id("login-error"), "was not accepted (401)");
      assertThat(b.driver.manage().getCookieNamed("dbops_session")).isNull();
      assertThat(b.driver.getPageSource()).doesNotContain(CANARY);

      b.driver.findElement(By.id("token")).sendKeys(vera, Keys.ENTER);
      b.awaitText(By.tagName("h1"), "Approvals");
      assertThat(b.driver.findElement(By.id("who-name")).getText()).contains("vera").contains("viewer");
      var cookie = b.driver.manage().getCookieNamed("dbops_session");
      assertThat(cookie.isHttpOnly()).isTrue();
      assertThat(b.script("return document.cookie")).asString().doesNotContain("dbops_session");
      assertThat(b.driver.getPageSource()).doesNotContain(vera);
      assertThat(b.driver.findElement(By.id("nav-admin")).isDisplayed()).as("no admin page for a viewer").isFalse();

      b.driver.findElement(By.id("logout")).click();
      b.await(By.id("token"));
      assertThat(b.fetch("GET", "/api/v1/executions", null, false).get("status")).isEqualTo(401L);
    }
  }

  @Test
  void signsInWithOidcThroughTheIdentityProviderMappingItsGroupsToRoles() throws Exception {
    MockOAuth2Server idp = new MockOAuth2Server(new OAuth2Config(true));
    idp.start();
    try (Cluster own = new Cluster(work)) {
      Cluster.Server oidcServer = own.server("server-oidc", 0, Map.of(
          "DBOPS_OIDC_ISSUER", idp.issuerUrl("default").toString(),
          "DBOPS_OIDC_CLIENT_ID", "dbops-console",
          "DBOPS_OIDC_CLIENT_SECRET", "console-oidc-client-secret",
          "DBOPS_OIDC_ROLE_MAP", "dba=approver,ops=admin"));
      try (Browser b = new Browser(oidcServer.url(), work.resolve("profile-oidc"))) {
        b.open("/login");
        WebElement button = b.await(By.id("oidc-login"));
        b.screenshot("login-oidc");
        button.click();
        // the provider's own login page (mock-oauth2-server, interactive login)
        b.await(By.name("username")).sendKeys("olga");
        b.script("document.querySelector('[name=claims]').value = arguments[0]",
            "{\"groups\": [\"dba\", \"unrelated\"]}");
        b.script("document.querySelector('form').submit()");
        b.awaitText(By.id("who-name"), "olga (approver)");
        assertThat(b.driver.getCurrentUrl()).isEqualTo(oidcServer.url() + "/executions");
        Map<String, Object> me = b.fetch("GET", "/api/v1/session", null, false);
        assertThat(me.get("body").toString()).contains("\"via\":\"oidc\"").contains("\"approver\"");
        b.driver.findElement(By.id("logout")).click();
        b.await(By.id("token"));
        assertThat(b.fetch("GET", "/api/v1/session", null, false).get("status")).isEqualTo(401L);
      }
    } finally {
      idp.shutdown();
    }
  }

  @Test
  void followsARunLiveUntilItFinishesWithLinesAppearingWhileTheStepPrints() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser b = browser()) {
      b.signIn(server.adminToken());
      b.screenshot("executions-empty");
      Path pipeline = slowPipeline(db, 6);
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", pipeline.toString(), "--server", server.url());
      try {
        String id = executionId(run);
        b.open("/executions");
        b.awaitText(By.id("executions"), id);
        b.driver.findElement(By.linkText(id)).click();
        b.await(By.id("log"));
        // A changeset's line is on the page while the execution is still running.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
            b.driver.findElements(By.cssSelector("#log .line")).stream().anyMatch(l -> l.getText().contains("slow-2"))
                && "RUNNING".equals(server.api().get("/api/v1/executions/" + id).path("status").asText()));
        assertThat(b.driver.findElements(By.cssSelector("#log .line")).stream()
            .noneMatch(l -> l.getText().contains("slow-6"))).as("the last changeset has not run yet").isTrue();
        b.awaitText(By.id("log-progress"), " of 6");
        b.screenshot("execution-running");
        b.awaitText(By.id("execution-status"), "SUCCEEDED");
        b.awaitText(By.id("log-state"), "finished: SUCCEEDED");
        assertThat(b.bodyText()).contains("slow-6");
        assertThat(b.driver.findElement(By.id("changesets-applied")).getText()).isEqualTo("6");
        b.screenshot("execution");

        // search, a link to a line, the stages timeline
        b.driver.findElement(By.id("log-search")).sendKeys("slow-3");
        long shown = b.driver.findElements(By.cssSelector("#log .line")).stream().filter(WebElement::isDisplayed).count();
        assertThat(shown).isPositive().isLessThan(b.driver.findElements(By.cssSelector("#log .line")).size());
        String anchor = b.driver.findElement(By.cssSelector("#log .line.hit a")).getAttribute("href");
        assertThat(anchor).contains("/executions/" + id + "#line-");
        b.driver.get(anchor);
        String lineId = anchor.substring(anchor.indexOf('#') + 1);
        b.await(By.id(lineId));
        assertThat(b.driver.findElement(By.cssSelector("[data-stage='test']")).getText()).contains("SUCCEEDED")
            .contains("delegate console");
        awaitExit(run);
      } finally {
        run.close();
      }
    }
  }

  @Test
  void anApprovalIsReadAndApprovedInTheBrowserAfterWhichProdApplies() throws Exception {
    try (TestDatabase prod = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser b = browser()) {
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", approvalPipeline("approve", prod).toString(),
          "--server", server.url());
      try {
        String id = executionId(run);
        awaitStatus(id, "WAITING_APPROVAL");
        b.signIn(bob);
        b.open("/approvals");
        WebElement card = b.await(By.id("approval-" + id));
        String sqlHash = server.api().get("/api/v1/executions/" + id + "/approvals").get(0).path("sqlHash").asText();
        assertThat(card.findElement(By.className("sql-hash")).getText()).isEqualTo(sqlHash);
        WebElement update = card.findElement(By.className("update-sql"));
        assertThat(update.getText()).contains("CREATE TABLE orders");
        assertThat(update.findElements(By.className("kw"))).extracting(WebElement::getText).contains("CREATE", "TABLE");
        assertThat(card.findElement(By.className("rollback-sql")).getText()).contains("DROP TABLE orders");
        assertThat(card.getText()).contains("prod").contains("nobody yet");
        assertThat(b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
            .as("the SQL scrolls inside its box, not the page").isEqualTo(true);
        b.screenshot("approvals");
        card.findElement(By.tagName("textarea")).sendKeys("read the SQL in the console");
        card.findElement(By.className("approve")).click();
        b.awaitText(By.cssSelector("#approval-" + id + " .decision-result"), "Approved");
        awaitStatus(id, "SUCCEEDED");
        assertThat(prod.tableExists("orders")).isTrue();
        b.open("/executions/" + id);
        b.awaitText(By.id("approvals-summary"), "approve by bob");
        awaitExit(run);
      } finally {
        run.close();
      }
    }
  }

  @Test
  void aViewerSeesNoApproveButtonAndIsRefusedByTheApiThenARejectionFailsTheRun() throws Exception {
    try (TestDatabase prod = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser viewer = browser(); Browser approver = browser()) {
      DbopsProcess run = DbopsProcess.start(work, Map.of(), "run", approvalPipeline("reject", prod).toString(),
          "--server", server.url());
      try {
        String id = executionId(run);
        awaitStatus(id, "WAITING_APPROVAL");
        viewer.signIn(vera);
        viewer.open("/approvals");
        WebElement card = viewer.await(By.id("approval-" + id));
        assertThat(card.getText()).contains("CREATE TABLE orders");
        assertThat(card.findElements(By.tagName("button"))).as("no decision buttons for a viewer").isEmpty();
        assertThat(card.findElement(By.className("no-approve")).getText()).contains("needs the approver role");
        Map<String, Object> forced = viewer.fetch("POST", "/api/v1/executions/" + id + "/approvals",
            "{\"decision\":\"approve\"}", true);
        assertThat(forced.get("status")).as(forced.toString()).isEqualTo(403L);
        assertThat(forced.get("body").toString()).contains("\"forbidden\"");
        viewer.screenshot("approvals-viewer");

        // the viewer keeps the executions list open: it updates itself when the run ends
        viewer.open("/executions");
        By row = By.cssSelector("tr[data-id='" + id + "'] .status");
        viewer.awaitText(row, "WAITING APPROVAL");

        approver.signIn(bob);
        approver.open("/approvals");
        WebElement bobs = approver.await(By.id("approval-" + id));
        bobs.findElement(By.tagName("textarea")).sendKeys("not during the sale");
        bobs.findElement(By.className("reject")).click();
        approver.awaitText(By.cssSelector("#approval-" + id + " .decision-result"), "Rejected");
        awaitStatus(id, "FAILED");
        assertThat(server.api().get("/api/v1/executions/" + id).path("error").asText())
            .contains("rejected by bob: not during the sale");
        assertThat(prod.tableExists("orders")).isFalse();
        viewer.awaitText(row, "FAILED");
        awaitExit(run);
      } finally {
        run.close();
      }
    }
  }

  @Test
  void aStateChangingCallWithTheSessionCookieButWithoutTheCsrfTokenIsRefused() throws Exception {
    try (Browser b = browser()) {
      b.signIn(server.adminToken());
      Map<String, Object> without = b.fetch("POST", "/api/v1/executions/ex-aaaaaaaaaaaa/abort", "{}", false);
      assertThat(without.get("status")).as(without.toString()).isEqualTo(403L);
      assertThat(without.get("body").toString()).contains("\"csrf\"");
      // the same call with the token passes the CSRF check and reaches the route (unknown id)
      Map<String, Object> with = b.fetch("POST", "/api/v1/executions/ex-aaaaaaaaaaaa/abort", "{}", true);
      assertThat(with.get("status")).as(with.toString()).isEqualTo(404L);
    }
  }

  @Test
  void aPageOfARunThatPrintsASecretShowsOnlyTheMask() throws Exception {
    try (TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser b = browser()) {
      Path pipeline = Pipelines.copy("leak", List.of("pipeline.yaml", "changelog.sql"), work.resolve("leak"),
          Map.of("url", db.jdbcUrl(), "username", db.username(), "stage", "leak",
              "passwordFrom", "<+secrets.getValue(\"console-db\")>"));
      DbopsProcess run = DbopsProcess.run(work, Map.of(), WAIT, "run", pipeline.toString(), "--server", server.url());
      String id = run.lines().stream().filter(l -> l.startsWith("Execution ")).findFirst().orElseThrow().split(" ")[1];
      b.signIn(server.adminToken());
      b.open("/executions/" + id);
      b.awaitText(By.id("log-state"), "finished: FAILED");
      b.awaitText(By.id("log"), "leaked " + Secrets.MASK);
      String base64 = Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8));
      for (String page : List.of("/executions/" + id, "/executions", "/admin")) {
        b.open(page);
        b.await(By.cssSelector("main h1"));
        if (page.startsWith("/executions/")) {
          b.awaitText(By.id("log-state"), "finished");
        }
        if (page.equals("/admin")) {
          b.awaitText(By.id("secrets"), "console-db");
          b.awaitText(By.id("audit"), "Audit chain verified");
          b.screenshot("admin");
        }
        assertThat(b.driver.getPageSource()).as(page).doesNotContain(CANARY).doesNotContain(base64);
      }
    }
  }

  @Test
  void delegatesAndTheFirstPageLoadFastWithoutExternalRequestsReadableOnAPhoneAndInDark() throws Exception {
    try (Browser b = browser()) {
      b.signIn(server.adminToken());
      b.open("/delegates");
      b.awaitText(By.id("delegates"), "console");
      b.screenshot("delegates");
      // keyboard: the first Tab reaches the skip link, the next ones the brand and the navigation
      b.open("/executions");
      b.await(By.id("executions"));
      WebElement body = b.driver.findElement(By.tagName("body"));
      body.sendKeys(Keys.TAB);
      assertThat(b.driver.switchTo().activeElement().getText()).isEqualTo("Skip to content");
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        b.driver.switchTo().activeElement().sendKeys(Keys.TAB);
        order.add(b.driver.switchTo().activeElement().getText());
      }
      assertThat(order).containsExactly("dbops", "Executions", "Approvals");
      assertThat(b.script("return getComputedStyle(document.activeElement).outlineStyle")).isEqualTo("solid");
    }
    try (Browser fresh = browser()) {
      fresh.open("/login");
      fresh.await(By.id("token"));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> entries = (List<Map<String, Object>>) fresh.script(
          "return performance.getEntries().filter(e => e.entryType === 'navigation' || e.entryType === 'resource')"
              + ".map(e => ({name: e.name, size: e.transferSize}))");
      long total = entries.stream().mapToLong(e -> ((Number) e.get("size")).longValue()).sum();
      assertThat(total).as(entries.toString()).isPositive().isLessThan(200_000);
      assertThat(entries).allSatisfy(e -> assertThat(e.get("name").toString()).startsWith(server.url()));
    }
    try (Browser phone = new Browser(server.url(), work.resolve("profile-phone"), 390, 844, true)) {
      phone.signIn(server.adminToken());
      assertThat(phone.script("return matchMedia('(prefers-color-scheme: dark)').matches")).isEqualTo(true);
      assertThat(phone.script("return document.documentElement.scrollWidth <= window.innerWidth + 1")).isEqualTo(true);
      phone.screenshot("executions-phone-dark");
    }
  }

  @Test
  void theStateGridShowsAChangesetAppliedInStagingAndPendingInProd() throws Exception {
    // Needs the state API (wave-state); skipped, not faked, on a control plane without it.
    boolean stateApi = false;
    for (var route : server.api().get("/api/v1/access/routes")) {
      stateApi |= route.path("path").asText().equals("/api/v1/environments/{name}/state");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(stateApi,
        "the control plane has no state API (GET /api/v1/environments/{name}/state) yet");
    try (TestDatabase staging = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        TestDatabase prod = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser b = browser()) {
      Path dir = Files.createDirectories(work.resolve("state"));
      Files.writeString(dir.resolve("changelog.sql"), ORDERS);
      Files.writeString(dir.resolve("dbops.yaml"), String.join("\n",
          "apiVersion: dbops/v1",
          "environments:",
          "  - {name: cstaging, order: 1}",
          "  - {name: cprod, order: 2}",
          "targets:",
          "  - {name: orders-cstaging, environment: cstaging, url: \"" + staging.jdbcUrl() + "\", username: " + staging.username() + "}",
          "  - {name: orders-cprod, environment: cprod, url: \"" + prod.jdbcUrl() + "\", username: " + prod.username() + "}",
          "pipelines:",
          "  - name: orders-state",
          "    stages:",
          "      - name: staging",
          "        target: orders-cstaging",
          "        steps:",
          "          - {name: apply, type: apply, changelog: changelog.sql}",
          "      - name: prod",
          "        target: orders-cprod",
          "        steps:",
          "          - {name: status, type: status, changelog: changelog.sql}",
          ""));
      DbopsProcess apply = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1), "apply", "-f",
          dir.resolve("dbops.yaml").toString(), "--server", server.url());
      assertThat(apply.exitCode()).as(apply.text()).isZero();
      DbopsProcess run = DbopsProcess.run(work, Map.of(), WAIT, "run", "orders-state", "--server", server.url());
      assertThat(run.exitCode()).as(run.text()).isZero();
      b.signIn(server.adminToken());
      b.open("/state?environment=cstaging");
      String key = "changelog.sql::orders-1::e2e";
      b.awaitText(By.cssSelector("td[data-target='orders-cstaging'][data-key='" + key + "']"), "applied");
      b.driver.findElement(By.cssSelector("#diff-form button")).click();
      b.awaitText(By.id("diff"), "orders-cprod");
      assertThat(b.driver.findElement(By.id("diff")).getText()).contains(key);
      assertThat(b.bodyText()).doesNotContain("null").doesNotContain("undefined");
      b.screenshot("state");
      b.open("/state?environment=cprod");
      b.awaitText(By.cssSelector("td[data-target='orders-cprod'][data-key='" + key + "']"), "pending");
      b.open("/state/targets/orders-cstaging");
      b.awaitText(By.tagName("main"), "orders-1");
      assertThat(b.bodyText()).contains(run.lines().stream().filter(l -> l.startsWith("Execution ex-"))
          .findFirst().orElseThrow().split(" ")[1]);
    }
  }

  @Test
  void aRolloutShowsItsPerTargetTableAndCounts() throws Exception {
    // Needs rollouts (wave-rollout); skipped, not faked, on a control plane without them.
    boolean rollouts = false;
    for (var route : server.api().get("/api/v1/access/routes")) {
      rollouts |= route.path("path").asText().equals("/api/v1/executions/{id}/retry");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(rollouts, "the control plane has no rollouts yet");
    try (TestDatabase one = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        TestDatabase two = TestDatabases.create(TestDatabases.Kind.POSTGRES);
        Browser b = browser()) {
      Path dir = Files.createDirectories(work.resolve("rollout"));
      Files.writeString(dir.resolve("changelog.sql"), ORDERS);
      Files.writeString(dir.resolve("dbops.yaml"), String.join("\n",
          "apiVersion: dbops/v1",
          "environments:",
          "  - {name: ctenants}",
          "targets:",
          "  - {name: tenant-one, environment: ctenants, url: \"" + one.jdbcUrl() + "\", username: " + one.username()
              + ", labels: {tier: ctenant}}",
          "  - {name: tenant-two, environment: ctenants, url: \"" + two.jdbcUrl() + "\", username: " + two.username()
              + ", labels: {tier: ctenant}}",
          ""));
      DbopsProcess apply = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1), "apply", "-f",
          dir.resolve("dbops.yaml").toString(), "--server", server.url());
      assertThat(apply.exitCode()).as(apply.text()).isZero();
      Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n", "name: console-rollout", "stages:",
          "  - name: tenants", "    targetGroup: tier=ctenant",
          "    rollout: {canary: 1, waves: [rest]}",
          "    steps:", "      - {name: apply, type: apply, changelog: changelog.sql}", ""));
      DbopsProcess run = DbopsProcess.run(work, Map.of(), WAIT, "run", dir.resolve("pipeline.yaml").toString(),
          "--server", server.url());
      assertThat(run.exitCode()).as(run.text()).isZero();
      String id = run.lines().stream().filter(l -> l.startsWith("Execution ex-")).findFirst().orElseThrow().split(" ")[1];
      b.signIn(server.adminToken());
      b.open("/executions/" + id);
      b.awaitText(By.id("rollout-counts"), "succeeded 2");
      WebElement stage = b.driver.findElement(By.cssSelector("[data-stage='tenants']"));
      assertThat(stage.getText()).contains("tenant-one").contains("tenant-two").contains("Rollout tier=ctenant");
      b.screenshot("execution-rollout");
      assertThat(one.tableExists("orders")).isTrue();
      assertThat(two.tableExists("orders")).isTrue();
    }
  }

  static final String ORDERS = """
      --liquibase formatted sql

      --changeset e2e:orders-1
      CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2));
      --rollback DROP TABLE orders;
      """;

  private static Browser browser() throws Exception {
    return new Browser(server.url(), work.resolve("profile-" + (++browsers)));
  }

  private static String identity(String name, String role) throws Exception {
    DbopsProcess p = DbopsProcess.run(work, Map.of(), Duration.ofMinutes(1),
        "access", "create", name, "--role", role, "--server", server.url());
    assertThat(p.exitCode()).as(p.text()).isZero();
    return p.lines().stream().filter(l -> l.startsWith("dbops_pat_")).findFirst().orElseThrow();
  }

  private static String executionId(DbopsProcess run) throws InterruptedException {
    String line = run.awaitLine("Execution ex-", WAIT);
    return line.substring(line.indexOf("ex-")).split(" ")[0];
  }

  private static void awaitStatus(String id, String status) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
        server.api().get("/api/v1/executions/" + id).path("status").asText()).isEqualTo(status));
  }

  private static void awaitExit(DbopsProcess run) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> !run.isAlive());
  }

  /** One stage applying {@code n} changesets that each sleep 2 s, so the run lasts a while. */
  private static Path slowPipeline(TestDatabase db, int n) throws Exception {
    Path dir = Files.createDirectories(work.resolve("slow-" + UUID.randomUUID()));
    StringBuilder changelog = new StringBuilder("--liquibase formatted sql\n");
    for (int i = 1; i <= n; i++) {
      changelog.append("\n--changeset e2e:slow-").append(i).append("\nSELECT pg_sleep(2);\n--rollback SELECT 1;\n");
    }
    Files.writeString(dir.resolve("changelog.sql"), changelog);
    Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n", "name: console-slow", "stages:",
        "  - name: test", "    database:", "      url: \"" + db.jdbcUrl() + "\"", "      username: " + db.username(),
        "    steps:", "      - {name: apply, type: apply, changelog: changelog.sql}", ""));
    return dir.resolve("pipeline.yaml");
  }

  /** Prod previews both ways, waits for one approver, then applies. */
  private static Path approvalPipeline(String name, TestDatabase prod) throws Exception {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("changelog.sql"), ORDERS);
    Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n", "name: console-" + name, "stages:",
        "  - name: prod", "    database:", "      url: \"" + prod.jdbcUrl() + "\"", "      username: " + prod.username(),
        "    steps:",
        "      - {name: preview, type: preview, changelog: changelog.sql}",
        "      - {name: undo-preview, type: preview, rollback: true, changelog: changelog.sql}",
        "      - name: approve", "        type: approval",
        "        approval: {required: 1, roles: [approver], timeoutSeconds: 600}",
        "      - {name: apply, type: apply, changelog: changelog.sql}", ""));
    return dir.resolve("pipeline.yaml");
  }
}
