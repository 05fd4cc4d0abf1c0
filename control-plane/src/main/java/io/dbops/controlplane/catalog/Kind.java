package io.dbops.controlplane.catalog;

import java.util.Locale;
import java.util.Optional;

/** The kinds of stored objects; JSON, paths and the CLI use {@link #id} and {@link #plural}. */
public enum Kind {
  ENVIRONMENT(Environment.class),
  TARGET(Target.class),
  PIPELINE(StoredPipeline.class);

  private final Class<?> type;

  Kind(Class<?> type) {
    this.type = type;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String plural() {
    return id() + "s";
  }

  Class<?> type() {
    return type;
  }

  /** The kind named {@code text}: singular or plural, any case. */
  public static Optional<Kind> parse(String text) {
    for (Kind k : values()) {
      if (k.id().equalsIgnoreCase(text) || k.plural().equalsIgnoreCase(text)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
