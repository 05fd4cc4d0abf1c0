package io.dbops.agent.secrets;

import io.dbops.agent.policy.DelegatePolicy;
import io.dbops.agent.policy.PolicyRefusal;
import io.dbops.protocol.InitStagePayload;
import io.dbops.protocol.InitStagePayload.SecretEnv;
import io.dbops.secrets.SealedBox;
import io.dbops.secrets.SecretSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the secret sources of an init task into values, in memory: store secrets sealed to this
 * process are opened with its private key; {@code env:}, {@code file:} and {@code kubernetes:}
 * sources are read on the delegate's side, so their values never leave the customer network.
 *
 * <p>Every source is first checked against the delegate's allowlists ({@link DelegatePolicy}); when
 * any is refused, or a variable name cannot be carried by a process environment, nothing is read.
 * A value holding a NUL character (which no process environment can carry) is refused naming only
 * its variable. Every problem of a task is reported at once, naming the variable and the source,
 * never a value. Thread-safe.
 */
public final class SecretResolver {
  private final PrivateKey sealingKey;
  private final Function<String, String> delegateEnv;
  private final KubernetesSecretReader kubernetes;
  private final DelegatePolicy policy;

  /**
   * @param sealingKey this process's private key; its public half went out in the hello frame
   * @param delegateEnv the delegate's environment (System::getenv)
   * @param policy the delegate's allowlists, checked before any value is read
   */
  public SecretResolver(PrivateKey sealingKey, Function<String, String> delegateEnv,
      KubernetesSecretReader kubernetes, DelegatePolicy policy) {
    this.sealingKey = sealingKey;
    this.delegateEnv = delegateEnv;
    this.kubernetes = kubernetes;
    this.policy = policy;
  }

  /** The secrets of the pod of init task {@code taskId}. */
  public PodSecrets resolve(String taskId, InitStagePayload payload) throws SecretResolutionException {
    List<String> problems = new ArrayList<>();
    Map<SecretEnv, Checked> checked = new LinkedHashMap<>();
    for (SecretEnv secret : payload.secretEnv()) {
      if (!EnvNames.isValid(secret.name())) {
        problems.add(EnvNames.invalid(secret.name()));
        continue;
      }
      check(secret, "variable " + secret.name(), problems).ifPresent(c -> checked.put(secret, c));
    }
    for (InitStagePayload.RegistryCredential credential : payload.pod().registryCredentials()) {
      String what = "the password of registry " + credential.registry();
      if (credential.password() == null) {
        problems.add(what + " has no source");
        continue;
      }
      check(credential.password(), what, problems).ifPresent(c -> checked.put(credential.password(), c));
    }
    if (!problems.isEmpty()) {
      throw new SecretResolutionException(String.join("; ", problems));
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (SecretEnv secret : payload.secretEnv()) {
      value(taskId, secret, checked.get(secret), "variable " + secret.name(), problems)
          .ifPresent(v -> env.put(secret.name(), v));
    }
    List<String> registryPasswords = new ArrayList<>();
    for (InitStagePayload.RegistryCredential credential : payload.pod().registryCredentials()) {
      value(taskId, credential.password(), checked.get(credential.password()),
          "the password of registry " + credential.registry(), problems).ifPresent(registryPasswords::add);
    }
    if (!problems.isEmpty()) {
      throw new SecretResolutionException(String.join("; ", problems));
    }
    return new PodSecrets(env, registryPasswords);
  }

  /** A source that passed the allowlists, with the real path of a file source. */
  private record Checked(SecretSource source, Path file) {}

  private Optional<Checked> check(SecretEnv secret, String what, List<String> problems) {
    Optional<SecretSource> parsed = SecretSource.parse(secret.source());
    if (parsed.isEmpty()) {
      // not echoed: a malformed source may be a value pasted into the wrong place
      problems.add("The secret source of " + what + " is not valid; use " + SecretSource.FORMS);
      return Optional.empty();
    }
    try {
      return Optional.of(new Checked(parsed.get(), policy.checkSecretSource(parsed.get(), what)));
    } catch (PolicyRefusal e) {
      problems.add(e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<String> value(String taskId, SecretEnv secret, Checked checked, String what,
      List<String> problems) {
    SecretSource source = checked.source();
    try {
      Optional<String> value = switch (source.kind()) {
        case STORE -> Optional.of(opened(taskId, secret, source));
        case ENV -> Optional.ofNullable(delegateEnv.apply(source.name()));
        case FILE -> file(checked.file());
        case KUBERNETES -> {
          int slash = source.name().indexOf('/');
          yield kubernetes.read(source.name().substring(0, slash), source.name().substring(slash + 1));
        }
      };
      if (value.isEmpty()) {
        problems.add("Secret source " + source + " of " + what + missing(source.kind()));
      } else if (value.get().indexOf('\0') >= 0) {
        // only the variable is named: the value, or any part of it, must not reach a message
        problems.add("The value of " + what + " contains a NUL character, which a process environment cannot"
            + " carry; it was not used");
        return Optional.empty();
      }
      return value;
    } catch (SecretResolutionException e) {
      problems.add(e.getMessage());
      return Optional.empty();
    }
  }

  private String opened(String taskId, SecretEnv secret, SecretSource source) throws SecretResolutionException {
    if (secret.sealed() == null) {
      throw new SecretResolutionException("Secret " + source + " of " + secret.name()
          + " arrived without its sealed value; the control plane did not seal it for this delegate");
    }
    try {
      return SealedBox.open(sealingKey, secret.sealed(), taskId);
    } catch (IllegalArgumentException e) {
      throw new SecretResolutionException("Secret " + source + " of " + secret.name() + ": " + e.getMessage());
    }
  }

  private static Optional<String> file(Path path) throws SecretResolutionException {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    try {
      String content = Files.readString(path, StandardCharsets.UTF_8);
      return Optional.of(content.endsWith("\n") ? content.substring(0, content.length() - 1) : content);
    } catch (IOException e) {
      throw new SecretResolutionException("Cannot read secret file " + path + ": "
          + e.getClass().getSimpleName());
    }
  }

  private static String missing(SecretSource.Kind kind) {
    return switch (kind) {
      case ENV -> " is not set in the delegate's environment";
      case FILE -> ": no such file on the delegate";
      case KUBERNETES -> ": no such Secret or key in the delegate's namespace";
      case STORE -> " is missing";
    };
  }
}
