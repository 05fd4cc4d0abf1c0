package io.dbops.cli.commands;

import java.io.PrintStream;

/**
 * While {@code dbops run} follows an execution, Ctrl-C (SIGINT, or SIGTERM) ends only the CLI: a
 * shutdown hook then says that the execution continues on the server, and how to follow or stop
 * it. {@link #close} removes the hook once following ended normally. One per run.
 */
final class InterruptNotice implements AutoCloseable {
  private final Thread hook;

  private InterruptNotice(Thread hook) {
    this.hook = hook;
  }

  /** Registers the hook for {@code executionId}; its message goes to {@code err}. */
  static InterruptNotice install(String executionId, PrintStream err) {
    Thread hook = new Thread(() -> {
      err.println();
      err.println(message(executionId));
      err.flush();
    }, "dbops-run-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
    return new InterruptNotice(hook);
  }

  static String message(String executionId) {
    return "Interrupted: execution " + executionId + " continues on the server. Follow it with"
        + " `dbops logs -f " + executionId + "`, see it with `dbops execution show " + executionId
        + "`, stop it with `dbops abort " + executionId + "`.";
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting already: the hook runs and says what it has to say
    }
  }
}
