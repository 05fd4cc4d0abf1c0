package io.dbops.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A main class in its own JVM (java of {@code java.home}, this JVM's class path), with its stdout
 * and stderr collected line by line and its stdin held open for the test to write to: how the
 * tests drive a warm pod process. {@link #close} kills it (and is safe to call twice); call it
 * from {@code @AfterEach}.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final OutputStream stdin;
  private final List<String> output = new CopyOnWriteArrayList<>();
  /** When each distinct line was first read (System.nanoTime()), for benchmarks. */
  private final Map<String, Long> firstRead = new ConcurrentHashMap<>();
  private final Thread pump;

  private ChildJvm(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.pump = new Thread(this::pumpOutput, "child-jvm-output-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code mainClass} with {@code env} laid over this JVM's environment.
   *
   * @param jvmOptions extra options before the class name (heap, compiler)
   */
  public static ChildJvm start(String mainClass, Map<String, String> env, List<String> jvmOptions) throws IOException {
    return start(mainClass, env, jvmOptions, List.of());
  }

  /** Starts {@code mainClass} with {@code arguments} and {@code env} laid over this JVM's environment. */
  public static ChildJvm start(String mainClass, Map<String, String> env, List<String> jvmOptions,
      List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    return new ChildJvm(builder.start());
  }

  private void pumpOutput() {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        firstRead.putIfAbsent(line, System.nanoTime());
        output.add(line);
      }
    } catch (IOException e) {
      output.add("(output stream failed: " + e + ")");
    }
  }

  /** Writes one line to the process's stdin. */
  public void writeLine(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** Closes the process's stdin (end of input). */
  public void closeStdin() throws IOException {
    stdin.close();
  }

  /** Every line printed so far (stdout and stderr). */
  public List<String> output() {
    return List.copyOf(output);
  }

  /** Everything printed so far, one line after the other: for assertion messages. */
  public String outputText() {
    return String.join("\n", output);
  }

  /** When {@code line} was first read (System.nanoTime()), or null when it has not been printed. */
  public Long firstRead(String line) {
    return firstRead.get(line);
  }

  /** How many printed lines equal {@code line}. */
  public long count(String line) {
    return output.stream().filter(line::equals).count();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Process process() {
    return process;
  }

  /** SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  /** The exit code once it ended within {@code seconds}; the output is complete then. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("process " + process.pid() + " still running after " + seconds + " s; output:\n"
          + outputText());
    }
    pump.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  /** kill -9, and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    pump.join(TimeUnit.SECONDS.toMillis(10));
  }
}
