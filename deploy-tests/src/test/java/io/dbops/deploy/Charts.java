package io.dbops.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The charts in {@code deploy/helm}, linted and rendered by real Helm (helm-java bundles the helm
 * library). Every render uses release {@link #RELEASE} in namespace {@link #NAMESPACE}.
 */
final class Charts {
  static final String RELEASE = "dbops";
  static final String NAMESPACE = "dbops-system";
  static final String DELEGATE = "dbops-delegate";
  static final String CONTROL_PLANE = "dbops-control-plane";

  private Charts() {}

  /** {@code deploy/helm} of this checkout (system property {@code dbops.charts}, set by the pom). */
  static Path root() {
    Path root = Path.of(System.getProperty("dbops.charts", "../deploy/helm")).toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve(DELEGATE))) {
      throw new IllegalStateException("No charts at " + root);
    }
    return root;
  }

  /** The repository's root directory. */
  static Path repository() {
    return root().getParent().getParent();
  }

  static Path chart(String name) {
    return root().resolve(name);
  }

  /** A values file of src/test/resources. */
  static Path values(String resource) {
    try {
      return Path.of(Charts.class.getResource("/" + resource).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("No test resource " + resource, e);
    }
  }

  /** {@code helm lint --strict}. */
  static LintResult lint(String chart) {
    return new Helm(chart(chart)).lint().strict().call();
  }

  static Manifests render(String chart, String... valuesResources) {
    return render(chart, Map.of(), valuesResources);
  }

  /**
   * {@code helm template} with the values files (resources), then {@code --set} of each entry.
   *
   * @throws IllegalStateException carrying Helm's message when the schema or a template refuses
   */
  static Manifests render(String chart, Map<String, ?> set, String... valuesResources) {
    var template = new Helm(chart(chart)).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (String resource : valuesResources) {
      template = template.withValuesFile(values(resource));
    }
    for (Map.Entry<String, ?> e : new LinkedHashMap<>(set).entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    return Manifests.parse(template.call());
  }

  /**
   * The release notes (NOTES.txt) as {@code helm install --dry-run=client} prints them; no cluster
   * is contacted.
   */
  static String notes(String chart, Map<String, ?> set) {
    var install = new Helm(chart(chart)).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly();
    for (Map.Entry<String, ?> e : set.entrySet()) {
      install = install.set(e.getKey(), e.getValue());
    }
    String output = install.call().getOutput();
    int notes = output.indexOf("NOTES:\n");
    if (notes < 0) {
      throw new AssertionError("No NOTES in the output of helm install --dry-run:\n" + output);
    }
    return output.substring(notes + "NOTES:\n".length());
  }

  /** Helm's message when rendering fails; fails the test when it renders. */
  static String renderError(String chart, Map<String, ?> set, String... valuesResources) {
    try {
      Manifests rendered = render(chart, set, valuesResources);
      throw new AssertionError("Expected " + chart + " to refuse " + set + ", but it rendered "
          + rendered.documents().size() + " documents");
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /** Reads a chart's Chart.yaml field (appVersion, version, name). */
  static String chartField(String chart, String field) {
    try {
      return Manifests.YAML.readTree(chart(chart).resolve("Chart.yaml").toFile()).path(field).asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> lintProblems(LintResult result) {
    return result.getMessages().stream()
        .filter(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"))
        .toList();
  }
}
