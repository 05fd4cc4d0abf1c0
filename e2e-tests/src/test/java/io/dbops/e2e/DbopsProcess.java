package io.dbops.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One {@code dbops} process of the built distribution, with stdout and stderr captured line by
 * line (merged). Closing it kills it (SIGTERM, then SIGKILL after 10 s).
 */
final class DbopsProcess implements AutoCloseable {
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private DbopsProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::pump, "e2e-output-" + process.pid());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** Where the CLI processes of {@code workDir} keep their credentials file ({@code dbops login}). */
  static Path configHome(Path workDir) {
    return workDir.resolve(".config");
  }

  /**
   * Stores the admin token the control plane wrote to {@code dataDir/admin.token} as the CLI's
   * credential for {@code serverUrl}, as {@code dbops login} would; returns it.
   */
  static String loginAsAdmin(Path workDir, Path dataDir, String serverUrl) throws IOException {
    return login(workDir, serverUrl, Files.readString(dataDir.resolve("admin.token")).trim());
  }

  /** Stores {@code token} as the CLI's credential for {@code serverUrl} in {@code workDir}; returns it. */
  static String login(Path workDir, String serverUrl, String token) {
    new io.dbops.cli.client.CredentialsFile(configHome(workDir).resolve("dbops").resolve("credentials"))
        .store(serverUrl, token);
    return token;
  }

  static Path home() {
    Path home = Path.of(System.getProperty("dbops.home", "../cli/target/dbops")).toAbsolutePath().normalize();
    if (!Files.isExecutable(home.resolve("bin/dbops"))) {
      throw new IllegalStateException("No distribution at " + home + "; run the build (./mvnw verify) first");
    }
    return home;
  }

  static DbopsProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(home().resolve("bin/dbops").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    // The CLI's credentials file of this test's work directory, never the developer's own.
    builder.environment().put("XDG_CONFIG_HOME", configHome(workDir).toString());
    builder.environment().remove("DBOPS_API_TOKEN");
    builder.environment().putAll(env);
    return new DbopsProcess(builder.start());
  }

  /** Runs a command to completion and returns its exit code; output stays readable. */
  static DbopsProcess run(Path workDir, Map<String, String> env, Duration timeout, String... args)
      throws IOException, InterruptedException {
    DbopsProcess p = start(workDir, env, args);
    if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.close();
      throw new AssertionError("dbops " + String.join(" ", args) + " did not finish within " + timeout
          + "; output:\n" + p.text());
    }
    p.reader.join(5_000);
    return p;
  }

  /** kill -9: no shutdown hook runs. */
  void kill9() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits up to {@code timeout}; returns the exit code, or -1 if still running. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  String text() {
    return String.join("\n", output);
  }

  List<String> lines() {
    return List.copyOf(output);
  }

  long pid() {
    return process.pid();
  }

  /** Waits until a line contains {@code fragment}; returns that line. */
  String awaitLine(String fragment, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        if (line.contains(fragment)) {
          return line;
        }
      }
      if (!process.isAlive() && !reader.isAlive()) {
        break;
      }
      Thread.sleep(50); // polling captured output: there is no event to wait on
    }
    throw new AssertionError("No line containing '" + fragment + "' within " + timeout + "; output:\n" + text());
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
