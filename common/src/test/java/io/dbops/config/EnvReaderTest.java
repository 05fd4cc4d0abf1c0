package io.dbops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvReaderTest {

  @Test
  void unsetAndBlankVariablesKeepTheirDefaults() {
    EnvReader env = new EnvReader(Map.of("DBOPS_A", "  "));
    assertThat(env.integer("DBOPS_A", 7, 0, 10)).isEqualTo(7);
    assertThat(env.string("DBOPS_B", "x")).isEqualTo("x");
    assertThat(env.bool("DBOPS_C", true)).isTrue();
    assertThat(env.list("DBOPS_D")).isEmpty();
    assertThat(env.problems().isEmpty()).isTrue();
  }

  @Test
  void reportsEveryMalformedVariableAtOnceNamingEach() {
    EnvReader env = new EnvReader(Map.of(
        "DBOPS_PORT", "eighty", "DBOPS_CAPACITY", "0", "DBOPS_FLAG", "maybe",
        "DBOPS_URL", "ftp://x", "DBOPS_MODE", "fast"));
    env.integer("DBOPS_PORT", 80, 0, 65535);
    env.integer("DBOPS_CAPACITY", 10, 1, 1000);
    env.bool("DBOPS_FLAG", false);
    env.uri("DBOPS_URL", null, Set.of("http", "https"));
    env.oneOf("DBOPS_MODE", "safe", Set.of("safe", "slow"));
    assertThatThrownBy(() -> env.throwIfProblems("delegate"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.component()).isEqualTo("delegate");
          assertThat(e.problems()).containsExactly(
              "DBOPS_PORT must be a whole number, not 'eighty'",
              "DBOPS_CAPACITY must be between 1 and 1000, not '0'",
              "DBOPS_FLAG must be true or false, not 'maybe'",
              "DBOPS_URL must be a http or https URL with a host, not 'ftp://x'",
              "DBOPS_MODE must be one of safe, slow, not 'fast'");
          assertThat(e.getMessage()).startsWith("Invalid delegate configuration: DBOPS_PORT");
        });
  }

  @Test
  void neverQuotesTheValueOfASecretVariable() {
    EnvReader env = new EnvReader(Map.of("DBOPS_TOKEN", "hunter2-canary", "DBOPS_MASTER_KEY", "k-canary"));
    env.integer("DBOPS_TOKEN", 0, 0, 1);
    env.bool("DBOPS_MASTER_KEY", false);
    assertThat(env.problems().list()).hasSize(2)
        .allSatisfy(p -> assertThat(p).doesNotContain("canary").contains("not shown"));
  }

  @Test
  void theSameProblemFoundTwiceIsReportedOnce() {
    Problems problems = new Problems();
    EnvReader env = new EnvReader(Map.of("DBOPS_N", "x"), problems);
    env.integer("DBOPS_N", 1, 0, 9);
    env.integer("DBOPS_N", 1, 0, 9);
    assertThat(problems.list()).hasSize(1);
  }

  @Test
  void readsTypedValues() {
    EnvReader env = new EnvReader(Map.of("DBOPS_S", "5", "DBOPS_L", "a, b,,c", "DBOPS_U", "https://cp:8443",
        "DBOPS_STEP_X", "1", "DBOPS_STEP_Y", "2", "OTHER", "3"));
    assertThat(env.seconds("DBOPS_S", Duration.ZERO, 1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(env.list("DBOPS_L")).containsExactly("a", "b", "c");
    assertThat(env.uri("DBOPS_U", null, Set.of("https"))).isEqualTo(URI.create("https://cp:8443"));
    assertThat(env.withPrefix("DBOPS_STEP_")).containsOnlyKeys("DBOPS_STEP_X", "DBOPS_STEP_Y");
    assertThat(env.list("DBOPS_L", s -> {
      if (s.equals("b")) {
        throw new IllegalArgumentException("'b' is not allowed");
      }
      return s.toUpperCase();
    })).containsExactly("A", "C");
    assertThat(env.problems().list()).containsExactly("DBOPS_L: 'b' is not allowed");
  }
}
