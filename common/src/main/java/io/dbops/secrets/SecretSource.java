package io.dbops.secrets;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a secret value comes from, as written in a pipeline ({@code passwordFrom}) and carried in
 * task payloads. Four kinds:
 *
 * <ul>
 *   <li>{@code <+secrets.getValue("name")>}: the control plane's secret store; the value travels
 *       sealed to the delegate instance that runs the task ({@link SealedBox});
 *   <li>{@code env:VARIABLE}: the delegate's own environment;
 *   <li>{@code file:/absolute/path}: a file mounted into the delegate (trailing newline dropped);
 *   <li>{@code kubernetes:SECRET/KEY}: a key of a Kubernetes Secret in the delegate's namespace.
 * </ul>
 *
 * <p>The last three never leave the customer network. Instances hold only names, never values.
 *
 * @param kind the kind of source
 * @param name the store secret name, variable name, file path, or {@code SECRET/KEY}
 */
public record SecretSource(Kind kind, String name) {
  /** The kinds of source. */
  public enum Kind { STORE, ENV, FILE, KUBERNETES }

  /** A store secret name: letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern EXPRESSION =
      Pattern.compile("<\\+secrets\\.getValue\\(\"([^\"]*)\"\\)>");
  private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern KUBERNETES =
      Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/[-._a-zA-Z0-9]{1,253}");

  /** What a valid source looks like, for error messages. */
  public static final String FORMS = "<+secrets.getValue(\"name\")>, env:VARIABLE, file:/path or"
      + " kubernetes:SECRET/KEY";

  /** The source written as {@code text}, or empty when it is not a valid source. */
  public static Optional<SecretSource> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.strip();
    Matcher expression = EXPRESSION.matcher(s);
    if (expression.matches()) {
      String name = expression.group(1);
      return STORE_NAME.matcher(name).matches()
          ? Optional.of(new SecretSource(Kind.STORE, name)) : Optional.empty();
    }
    if (s.startsWith("env:") && ENV.matcher(s.substring(4)).matches()) {
      return Optional.of(new SecretSource(Kind.ENV, s.substring(4)));
    }
    if (s.startsWith("file:/") && s.length() > 6 && !s.contains("\0")) {
      return Optional.of(new SecretSource(Kind.FILE, s.substring(5)));
    }
    if (s.startsWith("kubernetes:") && KUBERNETES.matcher(s.substring(11)).matches()) {
      return Optional.of(new SecretSource(Kind.KUBERNETES, s.substring(11)));
    }
    return Optional.empty();
  }

  /** The expression of a store secret: {@code <+secrets.getValue("name")>}. */
  public static String expression(String storeName) {
    return "<+secrets.getValue(\"" + storeName + "\")>";
  }

  /** The source as it is written. */
  @Override
  public String toString() {
    return switch (kind) {
      case STORE -> expression(name);
      case ENV -> "env:" + name;
      case FILE -> "file:" + name;
      case KUBERNETES -> "kubernetes:" + name;
    };
  }
}
