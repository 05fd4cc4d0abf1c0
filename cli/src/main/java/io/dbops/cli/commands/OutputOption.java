package io.dbops.cli.commands;

import io.dbops.config.ConfigException;
import io.dbops.support.Json;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/**
 * The {@code -o/--output text|json} option of listings and of {@code dbops run}: {@code json}
 * prints one JSON document on stdout (the API's own answer), for scripts.
 */
public final class OutputOption {
  @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json",
      description = "text (default) or json: one JSON document on stdout, for scripts.")
  String output = "text";

  /**
   * True for {@code json}.
   *
   * @throws ConfigException (exit 78) for anything but text or json
   */
  public boolean json() {
    if (!"text".equals(output) && !"json".equals(output)) {
      throw new ConfigException("command line", "--output must be text or json, not '" + output + "'");
    }
    return "json".equals(output);
  }

  /** Prints {@code value} as JSON on {@code out}. */
  static void print(PrintStream out, Object value) {
    out.println(Json.write(value));
    out.flush();
  }
}
