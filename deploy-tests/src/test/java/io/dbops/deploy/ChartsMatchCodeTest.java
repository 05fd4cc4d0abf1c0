package io.dbops.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The charts and the image against the code they deploy: a misspelt variable would be ignored by
 * the process without a word, so every {@code DBOPS_*} name a chart sets must be one the code reads.
 */
class ChartsMatchCodeTest {
  /**
   * Names the charts already set for code other engineers are adding now (they are ignored until it
   * lands). Remove an entry once its code is in: the test then checks that name too.
   */
  private static final Map<String, String> PENDING = Map.ofEntries(
      // the delegate's allowlists (contract F) and the token Secret it refuses: the agent
      Map.entry("DBOPS_ALLOW_SECRET_ENV", "agent"),
      Map.entry("DBOPS_ALLOW_SECRET_FILES", "agent"),
      Map.entry("DBOPS_ALLOW_SECRET_KUBERNETES", "agent"),
      Map.entry("DBOPS_ALLOW_HOSTS", "agent"),
      Map.entry("DBOPS_ALLOW_GIT_URLS", "agent"),
      Map.entry("DBOPS_ALLOW_JDBC_PROPERTIES", "agent"),
      Map.entry("DBOPS_ALLOW_H2_DIR", "agent"),
      Map.entry("DBOPS_TOKEN_SECRET_NAME", "agent"),
      // change types (contract E): the step runtime
      Map.entry("DBOPS_STEP_ALLOW_CHANGE_TYPES", "step-runtime"),
      // HTTPS served by the control plane itself (issue 13): the control plane
      Map.entry("DBOPS_TLS_CERT", "control-plane"),
      Map.entry("DBOPS_TLS_KEY", "control-plane"));

  private static final Pattern JAVA_LITERAL = Pattern.compile("\"(DBOPS_[A-Z0-9_]+)\"");
  private static final Pattern SCRIPT_VARIABLE = Pattern.compile("\\$\\{?(DBOPS_[A-Z0-9_]+)");

  @Test
  void everyDbopsVariableTheChartsSetIsReadByTheCode() {
    Set<String> read = namesReadByTheCode();
    Set<String> set = new TreeSet<>();
    set.addAll(names(Charts.render(Charts.DELEGATE).container("delegate")));
    set.addAll(names(Charts.render(Charts.DELEGATE, "delegate-all-values.yaml").container("delegate")));
    set.addAll(names(Charts.render(Charts.CONTROL_PLANE, ControlPlaneChartTest.TLS).container("control-plane")));
    set.addAll(names(Charts.render(Charts.CONTROL_PLANE, Map.of("tls.terminatedUpstream", true))
        .container("control-plane")));
    set.addAll(names(Charts.render(Charts.CONTROL_PLANE, Map.of("masterKey.existingSecret", "k"),
        "control-plane-all-values.yaml").container("control-plane")));

    assertThat(read).as("names found in */src/main").contains("DBOPS_SERVER_URL", "DBOPS_DB_URL", "DBOPS_JAVA_OPTS");
    Set<String> unknown = new TreeSet<>(set);
    unknown.removeAll(read);
    unknown.removeAll(PENDING.keySet());
    assertThat(unknown).as("DBOPS_* variables the charts set but no code reads (misspelt, or renamed in the code)")
        .isEmpty();
  }

  @Test
  void chartsRunTheImageAsItIsBuilt() throws IOException {
    String dockerfile = Files.readString(Charts.repository().resolve("deploy/image/Dockerfile"));

    assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:17-jre$");
    assertThat(dockerfile).contains("ENTRYPOINT [\"/opt/dbops/bin/dbops\"]");
    assertThat(dockerfile).containsPattern("(?m)^ARG DBOPS_UID=10001$").containsPattern("(?m)^USER \\$\\{DBOPS_UID}:");
    assertThat(dockerfile).contains("docker build -f deploy/image/Dockerfile -t dbops/dbops:"
        + Charts.chartField(Charts.DELEGATE, "appVersion") + " cli/target/dbops");
    for (String chart : List.of(Charts.DELEGATE, Charts.CONTROL_PLANE)) {
      Manifests m = Charts.render(chart, chart.equals(Charts.CONTROL_PLANE) ? ControlPlaneChartTest.TLS : Map.of());
      JsonNode container = m.podSpec().path("containers").get(0);
      assertThat(Manifests.texts(container.path("command"))).as(chart).containsExactly("/opt/dbops/bin/dbops");
      assertThat(m.podSpec().path("securityContext").path("runAsUser").asInt()).as(chart).isEqualTo(10001);
      assertThat(Charts.chartField(chart, "appVersion")).isEqualTo(Charts.chartField(Charts.DELEGATE, "appVersion"));
    }
  }

  private static Set<String> names(JsonNode container) {
    Set<String> names = new TreeSet<>(Manifests.env(container).keySet());
    names.removeIf(n -> !n.startsWith("DBOPS_"));
    return names;
  }

  /** Every DBOPS_* name that main code (Java string literals, the launcher script) mentions. */
  private static Set<String> namesReadByTheCode() {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> modules = Files.list(Charts.repository())) {
      for (Path main : modules.map(m -> m.resolve("src/main")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(Files::isRegularFile).forEach(file -> {
            Pattern pattern = file.toString().endsWith(".java") ? JAVA_LITERAL
                : file.startsWith(main.resolve("dist")) ? SCRIPT_VARIABLE : null;
            if (pattern != null) {
              Matcher m = pattern.matcher(read(file));
              while (m.find()) {
                names.add(m.group(1));
              }
            }
          });
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
