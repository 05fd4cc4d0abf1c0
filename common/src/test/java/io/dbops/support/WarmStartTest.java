package io.dbops.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmStartTest {
  private static final String CANARY = "canary-s3cr3t-7f1e";

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

  @Test
  void eachBindingIsServedOverTheBaseEnvironmentUntilItIsReleased() throws Exception {
    List<String> events = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<String, String> base = Map.of("PATH", "/bin", WarmStart.VARIABLE, WarmStart.STDIN, "A", "base");
    InputStream in = later(
        WarmStart.bindLine(Map.of("A", "first", "DBOPS_POD_TOKEN", "t1")),
        WarmStart.releaseLine(),
        "",
        WarmStart.bindLine(Map.of("DBOPS_POD_TOKEN", "t2")),
        WarmStart.releaseLine());
    WarmStart.Bindings bindings = new WarmStart.Bindings();

    WarmStart.serveBindings("step runtime", base, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        () -> events.add("warm"),
        env -> {
          events.add("serve " + new java.util.TreeMap<>(env));
          return () -> events.add("close");
        }, bindings);

    assertThat(events).containsExactly(
        "warm",
        "serve {A=first, DBOPS_POD_TOKEN=t1, PATH=/bin}",
        "close",
        "serve {A=base, DBOPS_POD_TOKEN=t2, PATH=/bin}",
        "close");
    assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "dbops step runtime warm", "dbops step runtime released", "dbops step runtime released");
    assertThat(bindings.current()).isNull();
  }

  @Test
  void aBindingAlreadyWaitingAtStartIsServedWithoutTheWarmUp() throws Exception {
    List<String> events = new ArrayList<>();
    WarmStart.serveBindings("step runtime", Map.of(), lines(WarmStart.bindLine(Map.of("A", "1")), WarmStart.releaseLine()),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), () -> events.add("warm"),
        env -> {
          events.add("serve " + env.get("A"));
          return () -> events.add("close");
        }, new WarmStart.Bindings());

    assertThat(events).containsExactly("serve 1", "close");
  }

  @Test
  void endOfInputBeforeAnyBindingEndsTheLoopWithoutServing() throws Exception {
    List<String> events = new ArrayList<>();
    WarmStart.serveBindings("lite engine", Map.of(), InputStream.nullInputStream(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), () -> events.add("warm"),
        env -> {
          events.add("serve");
          return () -> { };
        }, new WarmStart.Bindings());

    assertThat(events).containsExactly("warm");
  }

  @Test
  void aMalformedLineIsRefusedWithoutShowingIt() {
    WarmStart.Channel notJson = new WarmStart.Channel(lines("{\"bind\": " + CANARY));
    assertThatThrownBy(() -> notJson.nextBinding(Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a JSON object")
        .hasMessageNotContaining(CANARY);

    WarmStart.Channel notStrings = new WarmStart.Channel(lines("{\"bind\":{\"P\":{\"x\":\"" + CANARY + "\"}}}"));
    assertThatThrownBy(() -> notStrings.nextBinding(Map.of()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("string variables")
        .hasMessageNotContaining(CANARY);

    WarmStart.Channel notARelease = new WarmStart.Channel(lines(WarmStart.bindLine(Map.of("P", CANARY))));
    assertThatThrownBy(notARelease::awaitRelease)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a release")
        .hasMessageNotContaining(CANARY);
  }

  @Test
  void onlyTheStdinValueAsksForAWarmStart() {
    assertThat(WarmStart.requested(Map.of(WarmStart.VARIABLE, "stdin"))).isTrue();
    assertThat(WarmStart.requested(Map.of(WarmStart.VARIABLE, "yes"))).isFalse();
    assertThat(WarmStart.requested(Map.of())).isFalse();
  }
}
