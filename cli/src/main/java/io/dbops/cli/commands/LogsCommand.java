package io.dbops.cli.commands;

import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.cli.client.ControlPlaneClient;
import io.dbops.cli.output.ExecutionFollower;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dbops logs [-f] EXECUTION}: prints, or follows, an execution's log. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print or follow an execution's log.")
public final class LogsCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXECUTION", description = "Execution id (as `dbops run` prints it).")
  String executionId;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the execution finishes.")
  boolean follow;

  @Mixin ServerOption server;

  @Override
  public Integer call() {
    try (ControlPlaneClient client = new ControlPlaneClient(server.server)) {
      if (follow) {
        ExecutionView finished = new ExecutionFollower(client, System.out).follow(executionId);
        return "SUCCEEDED".equals(finished.status()) ? 0 : 1;
      }
      client.execution(executionId); // 404 with a clear message for an unknown id
      long cursor = 0;
      while (true) {
        LogPage page = client.logsNow(executionId, cursor);
        boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
        page.lines().forEach(line -> {
          String text = ExecutionFollower.format(executionId, line);
          System.out.println(colour ? ExecutionFollower.paint(line.level(), text) : text);
        });
        if (page.lines().isEmpty()) {
          return 0;
        }
        cursor = page.next();
      }
    }
  }
}
