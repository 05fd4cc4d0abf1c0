package io.dbops.logship;

/**
 * What the log service answered to one request of a shipper. The retry loop switches on the type,
 * never on message text: only {@link Retryable} is tried again.
 */
sealed interface SendOutcome {
  /** Stored; {@code through} is the stream's last stored sequence number (or the position asked for). */
  record Accepted(long through) implements SendOutcome {}

  /** Worth trying again later: the service is unreachable, overloaded or failing. */
  record Retryable(String problem) implements SendOutcome {}

  /** The service is missing lines before the batch: it expects {@code expectedSeq} next. */
  record Gap(long expectedSeq, String problem) implements SendOutcome {}

  /** Will never succeed: a refused token, a closed stream, a malformed request. */
  record Fatal(String problem) implements SendOutcome {}
}
