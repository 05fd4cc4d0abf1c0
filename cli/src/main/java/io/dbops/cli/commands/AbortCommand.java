package io.dbops.cli.commands;

import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code dbops abort ID}: asks the control plane to stop an execution. */
@Command(name = "abort", mixinStandardHelpOptions = true,
    description = "Abort an execution: running steps are stopped, nothing new starts, build pods are"
        + " still deleted, and the execution ends FAILED (aborted by user). Exit 0 when the abort was"
        + " accepted, 1 when the execution already finished.")
public final class AbortCommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID", description = "Execution id (as `dbops run` prints it).")
  String id;

  @Mixin ServerOption server;

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      client.abort(id);
      System.out.println("Abort of execution " + id + " requested; follow it to its end with"
          + " `dbops logs -f " + id + "`.");
      return ExitCodes.OK;
    }
  }
}
