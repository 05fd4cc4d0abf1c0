package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.cli.ExitCodes;
import io.dbops.cli.Main;
import io.dbops.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The Ctrl-C notice, {@code --output}, and the exit codes {@code dbops run --help} documents. */
class RunOutputTest {
  @Test
  void theInterruptNoticeSaysTheRunContinuesAndHowToFollowOrStopIt() {
    assertThat(InterruptNotice.message("ex-abc"))
        .isEqualTo("Interrupted: execution ex-abc continues on the server. Follow it with"
            + " `dbops logs -f ex-abc`, see it with `dbops execution show ex-abc`, stop it with"
            + " `dbops abort ex-abc`.");
  }

  @Test
  void theNoticeIsRemovedOnceFollowingEnded() {
    InterruptNotice notice = InterruptNotice.install("ex-x", System.err);
    notice.close();
    notice.close(); // twice is harmless
  }

  @Test
  void outputIsTextOrJsonAndAnythingElseIsAConfigurationError() {
    OutputOption option = new OutputOption();
    assertThat(option.json()).isFalse();
    option.output = "json";
    assertThat(option.json()).isTrue();
    option.output = "yaml";
    assertThatThrownBy(option::json).isInstanceOf(ConfigException.class)
        .hasMessageContaining("--output must be text or json, not 'yaml'");
  }

  @Test
  void runHelpListsTheExitCodes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CommandLine run = new CommandLine(new Main()).getSubcommands().get("run");
    run.usage(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String help = bytes.toString(StandardCharsets.UTF_8);
    assertThat(help).contains("Exit codes:").contains("the execution SUCCEEDED")
        .contains("the execution FAILED").contains("130").contains("continues on the server")
        .contains("--output");
    assertThat(ExitCodes.FAILED).isEqualTo(1);
  }
}
