package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.cli.ExitCodes;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import io.dbops.cli.output.LogPrinter;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dbops logs [-f] EXECUTION}: prints an execution's log, or follows it (Server-Sent Events)
 * with progress until the execution finishes. Coloured by level on a terminal, unless NO_COLOR is
 * set or {@code --no-color} is given.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print or follow an execution's log.")
public final class LogsCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXECUTION", description = "Execution id (as `dbops run` prints it).")
  String executionId;

  @Option(names = {"-f", "--follow"},
      description = "Keep printing new lines and progress until the execution finishes; exit 0 when it succeeded.")
  boolean follow;

  @Option(names = "--no-color", description = "Never colour (also when NO_COLOR is set or stdout is not a terminal).")
  boolean noColor;

  @Mixin ServerOption server;

  private final PrintStream out;

  public LogsCommand() {
    this(System.out);
  }

  LogsCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    boolean colour = !noColor && out == System.out && LogPrinter.colourForStdout();
    try (ControlPlaneClient client = new ControlPlaneClient(server.target())) {
      if (follow) {
        ExecutionView finished = new ExecutionFollower(client, out, colour).follow(executionId);
        return "SUCCEEDED".equals(finished.status()) ? ExitCodes.OK : ExitCodes.FAILED;
      }
      client.execution(executionId); // 404 with a clear message for an unknown id
      LogPrinter printer = new LogPrinter(out, executionId, colour);
      long cursor = 0;
      while (true) {
        LogPage page = client.logsNow(executionId, cursor);
        page.lines().forEach(printer::line);
        printer.flush();
        if (page.lines().isEmpty()) {
          return ExitCodes.OK;
        }
        cursor = page.next();
      }
    }
  }
}
