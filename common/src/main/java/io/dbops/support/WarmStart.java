package io.dbops.support;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Warm start of a build pod's process (the local runtime's warm pods; contract in {@code
 * docs/protocol.md}, "Warm pods"). Started with {@code DBOPS_WARM_START=stdin}, a lite engine or
 * step runtime loads and warms what it can without knowing its stage, prints {@code dbops ROLE
 * warm} on stdout, then reads its <em>bindings</em> from stdin, one JSON object a line:
 *
 * <ul>
 *   <li>{@code {"bind":{"NAME":"value",...}}}: the variables this binding adds to the process's
 *       environment (the stage's secrets, its credential and ports among them). The process serves
 *       exactly as if it had been started with them, including its usual {@code listening on port
 *       N} line.
 *   <li>{@code {"release":true}}: the binding ends. The process stops serving as it would on
 *       SIGTERM (logs shipped, pools closed, the port released) without exiting, prints {@code dbops
 *       ROLE released} and reads the next binding.
 * </ul>
 *
 * <p>A process whose first binding is already waiting on stdin when it starts (the launcher wrote
 * it right after starting the process) skips the warm-up: it was started for that stage, not ahead
 * of it.
 *
 * <p>End of input while not bound ends the process with 0: a warm process never outlives the
 * delegate that holds its stdin. End of input while bound is ignored: a bound process lives until
 * it is stopped, like one started cold. Lines are never logged or echoed (they carry secrets), and
 * a malformed line is reported without its content.
 */
public final class WarmStart {
  /** The variable that asks a pod process for a warm start; its only value is {@link #STDIN}. */
  public static final String VARIABLE = "DBOPS_WARM_START";
  public static final String STDIN = "stdin";

  private WarmStart() {}

  /** Whether {@code env} asks for a warm start. */
  public static boolean requested(Map<String, String> env) {
    return STDIN.equals(env.get(VARIABLE));
  }

  /** The line a process prints once it is warm and reads its first binding. */
  public static String warmLine(String role) {
    return "dbops " + role + " warm";
  }

  /** The line a process prints once a binding is released and it reads the next one. */
  public static String releasedLine(String role) {
    return "dbops " + role + " released";
  }

  /** The line that binds a warm process to {@code env} (the launcher's side). */
  public static String bindLine(Map<String, String> env) {
    return Json.write(Map.of("bind", env));
  }

  /** The line that releases the current binding (the launcher's side). */
  public static String releaseLine() {
    return "{\"release\":true}";
  }

  /** Starts serving one binding; the returned handle stops it (as on SIGTERM, without exiting). */
  @FunctionalInterface
  public interface BindingServer {
    AutoCloseable serve(Map<String, String> env) throws Exception;
  }

  /**
   * The process's side: warms, prints the warm line, then serves each binding with {@code server}
   * until it is released, until the end of input. Returns when the input ends while not bound; while
   * bound it blocks until the process is stopped by a signal (the caller's shutdown hook closes
   * {@link Bindings#current()}).
   *
   * @param base the process's own environment; each binding's variables are laid over it (without
   *     {@link #VARIABLE})
   * @throws Exception what {@code server} threw, or an {@link IOException} for a malformed line
   */
  public static void serveBindings(String role, Map<String, String> base, InputStream in, PrintStream out,
      Runnable warm, BindingServer server, Bindings bindings) throws Exception {
    if (in.available() == 0) {
      warm.run(); // a binding already waiting (a pod started for its stage) is served at once instead
    }
    Channel channel = new Channel(in);
    out.println(warmLine(role));
    out.flush();
    Optional<Map<String, String>> env;
    while ((env = channel.nextBinding(base)).isPresent()) {
      bindings.set(server.serve(env.get()));
      if (!channel.awaitRelease()) {
        new CountDownLatch(1).await(); // bound and the launcher is gone: serve until a signal stops us
      }
      bindings.closeCurrent();
      out.println(releasedLine(role));
      out.flush();
    }
  }

  /** The binding being served, for a shutdown hook to close. Thread-safe. */
  public static final class Bindings {
    private AutoCloseable current;

    synchronized void set(AutoCloseable binding) {
      current = binding;
    }

    /** The binding being served, or null. */
    public synchronized AutoCloseable current() {
      return current;
    }

    /** Closes the binding being served, if any; idempotent. */
    public synchronized void closeCurrent() throws Exception {
      AutoCloseable binding = current;
      current = null;
      if (binding != null) {
        binding.close();
      }
    }
  }

  /** Reads bindings and releases from a stream of lines. Not thread-safe. */
  public static final class Channel {
    private final BufferedReader lines;

    public Channel(InputStream in) {
      this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * The next binding's environment: {@code base} without {@link #VARIABLE}, with the binding's
     * variables laid over it; empty at the end of input.
     *
     * @throws IOException when the line is not a binding (its content is not shown)
     */
    public Optional<Map<String, String>> nextBinding(Map<String, String> base) throws IOException {
      String line = nextLine();
      if (line == null) {
        return Optional.empty();
      }
      JsonNode bind = parse(line).get("bind");
      if (bind == null || !bind.isObject()) {
        throw malformed("a binding ({\"bind\":{...}})");
      }
      Map<String, String> variables;
      try {
        variables = Json.mapper().convertValue(bind, new TypeReference<Map<String, String>>() {});
      } catch (IllegalArgumentException e) {
        throw malformed("a binding of string variables");
      }
      Map<String, String> env = new LinkedHashMap<>(base);
      env.remove(VARIABLE);
      env.putAll(variables);
      return Optional.of(Map.copyOf(env));
    }

    /**
     * Blocks until the current binding is released; false at the end of input.
     *
     * @throws IOException when the line is not a release (its content is not shown)
     */
    public boolean awaitRelease() throws IOException {
      String line = nextLine();
      if (line == null) {
        return false;
      }
      JsonNode release = parse(line).get("release");
      if (release == null || !release.asBoolean(false)) {
        throw malformed("a release ({\"release\":true})");
      }
      return true;
    }

    private String nextLine() throws IOException {
      String line;
      do {
        line = lines.readLine();
      } while (line != null && line.isBlank());
      return line;
    }

    private static JsonNode parse(String line) throws IOException {
      try {
        JsonNode node = Json.mapper().readTree(line);
        if (node == null || !node.isObject()) {
          throw malformed("a JSON object");
        }
        return node;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw malformed("a JSON object");
      }
    }

    private static IOException malformed(String expected) {
      return new IOException("A warm-start line on stdin is not " + expected
          + " (the line is not shown: it may hold secrets)");
    }
  }
}
