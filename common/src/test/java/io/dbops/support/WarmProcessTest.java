package io.dbops.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WarmProcessTest {
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private static InputStream lines(String... lines) {
    return new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Lines written only after the process started, as a launcher binds a warm pod later. */
  private static InputStream later(String... lines) {
    return new java.io.FilterInputStream(lines(lines)) {
      private boolean started;

      @Override
      public int available() throws java.io.IOException {
        if (!started) {
          started = true;
          return 0;
        }
        return super.available();
      }
    };
  }

  private PrintStream console() {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  @Test
  void warmsOnceThenServesAndReleasesEachBindingUntilTheEndOfInput() throws Exception {
    WarmProcess process = new WarmProcess("step runtime", () -> events.add("warm"), env -> {
      events.add("serve " + env.get("DBOPS_POD_TOKEN"));
      return () -> events.add("close " + env.get("DBOPS_POD_TOKEN"));
    });

    process.serve(Map.of(), later(WarmStart.bindLine(Map.of("DBOPS_POD_TOKEN", "t1")), WarmStart.releaseLine(),
        WarmStart.bindLine(Map.of("DBOPS_POD_TOKEN", "t2")), WarmStart.releaseLine()), console());

    assertThat(events).containsExactly("warm", "serve t1", "close t1", "serve t2", "close t2");
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "dbops step runtime warm", "dbops step runtime released", "dbops step runtime released");
  }

  @Test
  void aBindingThatCannotBeServedIsThrownForTheCallersExitCode() {
    WarmProcess process = new WarmProcess("lite engine", () -> { }, env -> {
      throw new ConfigException("lite engine", List.of("DBOPS_LITE_ENGINE_PORT must be a number"));
    });

    assertThatThrownBy(() -> process.serve(Map.of(), lines(WarmStart.bindLine(Map.of("A", "b"))), console()))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aMalformedLineWhileBoundStopsServingBeforeItIsThrown() {
    WarmProcess process = new WarmProcess("step runtime", () -> { }, env -> () -> events.add("closed"));

    assertThatThrownBy(() -> process.serve(Map.of(),
        lines(WarmStart.bindLine(Map.of("DBOPS_POD_TOKEN", "t1")), "{\"release\": \"later\"}"), console()))
        .isInstanceOf(IOException.class).hasMessageContaining("not a release");
    assertThat(events).containsExactly("closed");
  }
}
