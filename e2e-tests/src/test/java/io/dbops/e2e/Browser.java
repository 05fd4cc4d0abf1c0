package io.dbops.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code /usr/bin/chromium} through {@code /usr/bin/chromedriver};
 * Selenium Manager is never asked to download anything) with its own profile, so its own cookie
 * jar: one browser per signed-in identity. Screenshots go to the directory named by the system
 * property {@code dbops.console.screenshots} when it is set (docs/console.md uses them).
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(60);

  final ChromeDriver driver;
  private final ChromeDriverService service;
  private final String baseUrl;

  /** Skips the test class without Chromium, except in CI ({@code CI=true}), where it fails. */
  static void assumeAvailable() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER
          + " is missing: .ci/run installs them (apt-get install chromium chromium-driver)");
    }
    Assumptions.assumeTrue(present, "no " + CHROMIUM + " and " + CHROMEDRIVER
        + " (apt-get install chromium chromium-driver): browser tests skipped outside CI");
  }

  Browser(String baseUrl, Path profile) throws IOException {
    this(baseUrl, profile, 1280, 900, false);
  }

  Browser(String baseUrl, Path profile, int width, int height, boolean dark) throws IOException {
    this.baseUrl = baseUrl;
    Files.createDirectories(profile);
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=" + width + "," + height);
    if (dark) {
      options.addArguments("--force-dark-mode", "--blink-settings=preferredColorScheme=0");
    }
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    driver.manage().window().setSize(new Dimension(width, height));
    if (dark) {
      driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
          List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    }
  }

  void open(String path) {
    driver.get(baseUrl + path);
  }

  WebElement await(By by) {
    return new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    });
  }

  void awaitText(By by, String text) {
    // pages re-render as data arrives: an element found may be replaced before it is read
    new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .withMessage(() -> "no " + by + " containing '" + text + "'; page:\n" + bodyText())
        .until(d -> d.findElements(by).stream().anyMatch(e -> e.getText().contains(text)));
  }

  String bodyText() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /** Signs in with an API token on the login page; waits for the executions page. */
  void signIn(String token) {
    open("/login");
    await(By.id("token")).sendKeys(token);
    driver.findElement(By.id("sign-in")).click();
    await(By.id("executions"));
  }

  /**
   * A fetch from the page itself (same origin, the session cookie), optionally with the session's
   * CSRF token; answers {@code {status, body}}.
   */
  @SuppressWarnings("unchecked")
  Map<String, Object> fetch(String method, String path, String jsonBody, boolean withCsrf) {
    Object result = ((JavascriptExecutor) driver).executeAsyncScript("""
        const [method, path, body, withCsrf, done] = arguments;
        (async () => {
          const headers = {'Content-Type': 'application/json'};
          if (withCsrf) {
            const s = await (await fetch('/api/v1/session', {credentials: 'same-origin'})).json();
            headers['X-CSRF-Token'] = s.csrfToken;
          }
          const r = await fetch(path, {method, headers, credentials: 'same-origin', body});
          done({status: r.status, body: await r.text()});
        })().catch(e => done({status: -1, body: String(e)}));
        """, method, path, jsonBody, withCsrf);
    return (Map<String, Object>) result;
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Saves a PNG of the viewport as {@code name}.png when screenshots are asked for. */
  void screenshot(String name) throws IOException {
    String dir = System.getProperty("dbops.console.screenshots");
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    assertThat(png.length).isGreaterThan(1000);
    if (dir != null && !dir.isBlank()) {
      Path out = Path.of(dir).toAbsolutePath();
      Files.createDirectories(out);
      Files.write(out.resolve(name + ".png"), png);
    }
  }

  /** Uncaught script errors the page logged so far (a bug in the console's scripts). */
  List<String> scriptErrors() {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .map(org.openqa.selenium.logging.LogEntry::getMessage)
        .filter(m -> m.contains("Uncaught") || m.contains("TypeError") || m.contains("ReferenceError")
            || m.contains("SyntaxError") || m.contains("Content Security Policy"))
        .toList();
  }

  /** Quits the browser; fails when a page had an uncaught script error or a CSP violation. */
  @Override
  public void close() {
    List<String> errors;
    try {
      errors = scriptErrors();
      driver.quit();
    } finally {
      service.stop();
    }
    assertThat(errors).as("script errors and CSP violations in the console").isEmpty();
  }
}
