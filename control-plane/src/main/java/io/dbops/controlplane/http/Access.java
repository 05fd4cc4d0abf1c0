package io.dbops.controlplane.http;

import io.dbops.controlplane.identity.Verb;
import java.util.Objects;

/**
 * The access rule of a route; every route has exactly one ({@link Edge} refuses a route without
 * it). {@link #open()} routes need no credential; {@link #delegateToken()} and
 * {@link #logToken()} routes check their own credentials in their handlers; {@link #verb} routes
 * need an API token whose roles (and verb limit) grant the verb; {@link #anyApiToken()} routes
 * need any valid API token; {@link #webhookSignature()} routes are authenticated only by an HMAC
 * (or shared token) over the request body with the named webhook's own secret, checked in their
 * handler, and can do nothing but trigger that webhook's pipeline.
 *
 * @param verb null unless kind is {@link Kind#API_TOKEN} and a verb is required
 */
public record Access(Kind kind, Verb verb) {
  /** What credential a route needs. */
  public enum Kind { OPEN, API_TOKEN, DELEGATE_TOKEN, LOG_TOKEN, WEBHOOK_SIGNATURE }

  public Access {
    Objects.requireNonNull(kind, "kind");
    if (verb != null && kind != Kind.API_TOKEN) {
      throw new IllegalArgumentException("Only API token rules name a verb");
    }
  }

  public static Access open() {
    return new Access(Kind.OPEN, null);
  }

  public static Access delegateToken() {
    return new Access(Kind.DELEGATE_TOKEN, null);
  }

  public static Access logToken() {
    return new Access(Kind.LOG_TOKEN, null);
  }

  /** The signature of an incoming git webhook, checked by its handler (docs/fleet-triggers.md). */
  public static Access webhookSignature() {
    return new Access(Kind.WEBHOOK_SIGNATURE, null);
  }

  public static Access anyApiToken() {
    return new Access(Kind.API_TOKEN, null);
  }

  /** An API token whose roles grant {@code verb} (for example {@code Verb.READ}: viewer). */
  public static Access verb(Verb verb) {
    return new Access(Kind.API_TOKEN, Objects.requireNonNull(verb, "verb"));
  }

  /** For route listings: {@code open}, {@code delegate token}, {@code verb read (viewer)}... */
  public String describe() {
    return switch (kind) {
      case OPEN -> "open";
      case DELEGATE_TOKEN -> "delegate token";
      case LOG_TOKEN -> "log stream token";
      case WEBHOOK_SIGNATURE -> "webhook signature (HMAC of the body with the webhook's secret)";
      case API_TOKEN -> verb == null ? "any API token"
          : "API token: verb " + verb.id() + " (role " + verb.leastRole().id() + ")";
    };
  }
}
