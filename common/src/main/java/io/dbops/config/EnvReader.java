package io.dbops.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads settings from an environment (a name-to-value map, usually {@code System.getenv()}) with
 * typed getters. An unset or blank variable yields the default; a malformed one adds a problem
 * naming the variable and what it must be, and yields the default, so that reading goes on and
 * every problem is reported at once by {@link #throwIfProblems}. Problems never quote the value of
 * a variable whose name marks it as secret (…TOKEN, …PASSWORD, …KEY, …SECRET).
 *
 * <p>Not thread-safe; one reader per configuration being built.
 */
public final class EnvReader {
  private final Map<String, String> env;
  private final Problems problems;

  public EnvReader(Map<String, String> env) {
    this(env, new Problems());
  }

  /** Adds its problems to {@code problems}, shared with other readers or checks. */
  public EnvReader(Map<String, String> env, Problems problems) {
    this.env = Map.copyOf(env);
    this.problems = problems;
  }

  /** The trimmed value, or null when unset or blank. */
  public String string(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public String string(String name, String fallback) {
    String value = string(name);
    return value == null ? fallback : value;
  }

  /** The value exactly as set (not trimmed), or null when unset or empty: for secrets. */
  public String raw(String name) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  public boolean isSet(String name) {
    return string(name) != null;
  }

  /** An integer in [min, max]. */
  public int integer(String name, int fallback, int min, int max) {
    return (int) number(name, fallback, min, max);
  }

  /** A long in [min, max]. */
  public long number(String name, long fallback, long min, long max) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        problems.add(name + " must be between " + min + " and " + max + ", not " + shown(name, value));
        return fallback;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number, not " + shown(name, value));
      return fallback;
    }
  }

  /** A whole number of seconds, at least {@code minSeconds}. */
  public Duration seconds(String name, Duration fallback, long minSeconds) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    return Duration.ofSeconds(number(name, fallback.toSeconds(), minSeconds, Long.MAX_VALUE / 1000));
  }

  /** A whole number of milliseconds, at least {@code minMillis}. */
  public Duration millis(String name, Duration fallback, long minMillis) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    return Duration.ofMillis(number(name, fallback.toMillis(), minMillis, Long.MAX_VALUE));
  }

  /** {@code true}/{@code false} (also yes/no, 1/0, on/off), case-insensitive. */
  public boolean bool(String name, boolean fallback) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "1": case "on":
        return true;
      case "false": case "no": case "0": case "off":
        return false;
      default:
        problems.add(name + " must be true or false, not " + shown(name, value));
        return fallback;
    }
  }

  /** One of {@code allowed} (compared case-insensitively, returned in lower case). */
  public String oneOf(String name, String fallback, Set<String> allowed) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(lower)) {
      problems.add(name + " must be one of " + String.join(", ", new java.util.TreeSet<>(allowed))
          + ", not " + shown(name, value));
      return fallback;
    }
    return lower;
  }

  public Path path(String name, Path fallback) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      problems.add(name + " must be a file system path, not " + shown(name, value));
      return fallback;
    }
  }

  /** An absolute URI with one of {@code schemes}, for example http and https. */
  public URI uri(String name, URI fallback, Set<String> schemes) {
    String value = string(name);
    if (value == null) {
      return fallback;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
          || uri.getHost() == null) {
        problems.add(name + " must be a " + String.join(" or ", new java.util.TreeSet<>(schemes))
            + " URL with a host, not " + shown(name, value));
        return fallback;
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add(name + " must be a URL, not " + shown(name, value) + " (" + e.getReason() + ")");
      return fallback;
    }
  }

  /** A comma-separated list, each entry trimmed, empty entries dropped; empty when unset. */
  public List<String> list(String name) {
    String value = string(name);
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A comma-separated list, each entry converted by {@code parse}, which throws
   * {@link IllegalArgumentException} with a reason for an invalid entry. */
  public <T> List<T> list(String name, Function<String, T> parse) {
    return list(name).stream().map(entry -> {
      try {
        return parse.apply(entry);
      } catch (IllegalArgumentException e) {
        problems.add(name + ": " + e.getMessage());
        return null;
      }
    }).filter(java.util.Objects::nonNull).toList();
  }

  /** Every variable whose name starts with {@code prefix}, sorted by name, values as set. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> matching = new TreeMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith(prefix)) {
        matching.put(name, value);
      }
    });
    return matching;
  }

  /** Records a problem found by the caller's own checks. */
  public void problem(String problem) {
    problems.add(problem);
  }

  /** Records {@code problem} unless {@code condition} holds. */
  public void require(boolean condition, String problem) {
    problems.require(condition, problem);
  }

  public Problems problems() {
    return problems;
  }

  /** Throws a {@link ConfigException} for {@code component} listing every problem found. */
  public void throwIfProblems(String component) {
    problems.throwIfAny(component);
  }

  private static String shown(String name, String value) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (upper.contains("TOKEN") || upper.contains("PASSWORD") || upper.contains("SECRET")
        || upper.endsWith("KEY")) {
      return "the value set (not shown: it may be secret)";
    }
    return "'" + value + "'";
  }
}
