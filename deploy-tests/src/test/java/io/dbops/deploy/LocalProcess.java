package io.dbops.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A process of the built distribution with exactly the given environment (plus PATH and JAVA_HOME,
 * which the launcher needs to find Java), output captured line by line. Closing it sends SIGTERM,
 * then SIGKILL after 15 s.
 */
final class LocalProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private LocalProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::pump, "deploy-it-output-" + process.pid());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** The distribution (system property {@code dbops.home}, set by the pom). */
  static Path distribution() {
    Path home = Path.of(System.getProperty("dbops.home", "../cli/target/dbops")).toAbsolutePath().normalize();
    if (!Files.isExecutable(home.resolve("bin/dbops"))) {
      throw new IllegalStateException("No distribution at " + home
          + "; build it first: ./mvnw -B -q -o -pl cli -am install -DskipTests");
    }
    return home;
  }

  static LocalProcess start(String name, List<String> command, Map<String, String> env, Path workDir)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    return new LocalProcess(name, builder.start());
  }

  /** Runs a command to completion; fails when it does not end within the timeout. */
  static LocalProcess run(String name, List<String> command, Map<String, String> env, Path workDir,
      Duration timeout) throws IOException, InterruptedException {
    LocalProcess p = start(name, command, env, workDir);
    if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.close();
      throw new AssertionError(name + " did not finish within " + timeout + "; output:\n" + p.text());
    }
    p.reader.join(5_000);
    return p;
  }

  /** SIGTERM, then waits; the exit code, or -1 when still running after {@code timeout}. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return -1;
    }
    reader.join(5_000);
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  List<String> lines() {
    return List.copyOf(output);
  }

  String text() {
    return String.join("\n", output);
  }

  /**
   * Polls {@code value} until {@code done} accepts it, while this process runs; fails with its
   * output when the process exits first or {@code timeout} passes.
   */
  <T> T awaitUntil(String what, Duration timeout, Callable<T> value, Predicate<T> done) {
    try {
      return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(200))
          .failFast(this::assertAlive)
          .until(value, done::test);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + " did not happen within " + timeout + "; " + describe(), e);
    }
  }

  /** Polls {@code condition} while this process runs (see {@link #awaitUntil}). */
  void awaitUntil(String what, Duration timeout, Callable<Boolean> condition) {
    awaitUntil(what, timeout, condition, Boolean.TRUE::equals);
  }

  private void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited before the test was done; " + describe());
    }
  }

  /** For assertion messages: the process's name, state and output. */
  String describe() {
    return name + (process.isAlive() ? " (running)" : " (exited " + process.exitValue() + ")") + ", output:\n"
        + text();
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
