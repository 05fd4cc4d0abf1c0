package io.dbops.support;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The process side of a warm start ({@link WarmStart}) for a pod process's {@code main}: registers
 * the process's one shutdown hook, then warms and serves bindings from stdin until the input ends
 * while not bound. The hook (SIGTERM, Ctrl-C) closes the binding being served, as a cold process's
 * hook closes its server, and halts the JVM with 0.
 *
 * <p>When serving fails (a binding's configuration is invalid, its port is taken, a line is
 * malformed) the hook is removed before the failure is thrown, so the caller's {@code
 * System.exit(78)} (or 1) is the process's exit code, not the hook's 0. Whatever the failed
 * binding had started was closed by its {@link WarmStart.BindingServer}.
 */
public final class WarmProcess {
  private final String role;
  private final Runnable warm;
  private final WarmStart.BindingServer server;
  private final WarmStart.Bindings bindings = new WarmStart.Bindings();

  /**
   * @param role {@code lite engine} or {@code step runtime}: the word in the process's lines
   * @param warm what the process loads and runs before it prints its warm line; must leave nothing
   *     behind that a binding could see
   * @param server starts serving one binding; its handle's close stops serving as SIGTERM would,
   *     without exiting
   */
  public WarmProcess(String role, Runnable warm, WarmStart.BindingServer server) {
    this.role = role;
    this.warm = warm;
    this.server = server;
  }

  /**
   * Serves the bindings read from {@code in} over {@code base}; returns once the input ends while
   * not bound (the caller then exits 0). While bound, the end of input is ignored and this only
   * returns through the shutdown hook, which halts the JVM.
   *
   * @throws Exception what starting a binding threw (nothing of it is left running), or an {@link
   *     java.io.IOException} for a malformed line (its content is not shown)
   */
  public void serve(Map<String, String> base, InputStream in, PrintStream out) throws Exception {
    Thread hook = new Thread(this::stopAndHalt, role.replace(' ', '-') + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      WarmStart.serveBindings(role, base, in, out, warm, server, bindings);
    } catch (Exception e) {
      bindings.closeCurrent(); // a malformed release line: stop serving before the process exits
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook runs and ends the process itself
      }
    }
  }

  /** The shutdown hook: closes the binding being served (waiting for a release in progress), then halts. */
  private void stopAndHalt() {
    try {
      bindings.closeCurrent();
    } catch (Exception e) {
      System.err.println("Error while stopping the " + role + ": " + e);
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(0);
  }
}
