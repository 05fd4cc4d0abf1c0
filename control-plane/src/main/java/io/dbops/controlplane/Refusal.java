package io.dbops.controlplane;

import java.util.List;

/**
 * A request a service refuses: what kind of refusal, a stable machine-readable code, an actionable
 * message and the details (for example every problem of an invalid document). Services throw it and
 * know nothing of HTTP; the HTTP edge maps the kind to a status and the rest to the error body
 * ({@code io.dbops.controlplane.http.Refusals}, docs/api.md). The message never holds a secret.
 */
public final class Refusal extends RuntimeException {
  /** What went wrong, independent of the transport. */
  public enum Kind {
    /** The request itself is wrong: a malformed body, an invalid document, a bad parameter. */
    INVALID,
    /** No usable credential. */
    UNAUTHENTICATED,
    /** A credential that may not do this; the message names the rule. */
    FORBIDDEN,
    /** What the request names does not exist. */
    NOT_FOUND,
    /** The request conflicts with the current state (already finished, not paused, in use). */
    CONFLICT,
    /** The request is larger than a limit allows. */
    TOO_LARGE,
    /** Too many requests or open streams; try again later. */
    TOO_MANY,
    /** The service cannot answer now (stopping, busy, a key rotated meanwhile). */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String code;
  private final List<String> details;

  public Refusal(Kind kind, String code, String message, List<String> details) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.details = details == null ? List.of() : List.copyOf(details);
  }

  /** An invalid request, with every problem in {@code details}. */
  public static Refusal invalid(String message, List<String> details) {
    return new Refusal(Kind.INVALID, "invalid_request", message, details);
  }

  public static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, "not_found", message, List.of());
  }

  public static Refusal unauthenticated(String message) {
    return new Refusal(Kind.UNAUTHENTICATED, "unauthorized", message, List.of());
  }

  public static Refusal forbidden(String message) {
    return new Refusal(Kind.FORBIDDEN, "forbidden", message, List.of());
  }

  public Kind kind() {
    return kind;
  }

  /** The stable code of the error body, for example {@code conflict} or {@code sequence_gap}. */
  public String code() {
    return code;
  }

  public List<String> details() {
    return details;
  }
}
