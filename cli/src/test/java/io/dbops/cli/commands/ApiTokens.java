package io.dbops.cli.commands;

import java.util.Map;
import picocli.CommandLine;

/** Gives the client commands of a command line an API token, as DBOPS_API_TOKEN would. */
final class ApiTokens {
  private ApiTokens() {}

  /** Sets {@code token} on every {@code --server} mixin of {@code cli} and its subcommands; returns {@code cli}. */
  static CommandLine use(CommandLine cli, String token) {
    cli.getCommandSpec().mixins().values().forEach(mixin -> {
      if (mixin.userObject() instanceof ServerOption server) {
        server.environment = Map.of("DBOPS_API_TOKEN", token);
      }
    });
    cli.getSubcommands().values().forEach(sub -> use(sub, token));
    return cli;
  }
}
