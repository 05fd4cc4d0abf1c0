package io.dbops.support;

/** The innermost cause of an exception, where libraries often keep the reason an operator needs. */
public final class RootCause {
  private RootCause() {}

  /** The last throwable in {@code error}'s cause chain ({@code error} itself when it has none). */
  public static Throwable of(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /** The root cause's message, else its class's simple name. */
  public static String message(Throwable error) {
    Throwable root = of(error);
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /**
   * {@code " (<root cause's message>)"} when {@code error} has a cause with a message, else "": for
   * appending to {@code error}'s own message (Netty's "Failed to bind to address ..." keeps
   * "Address already in use" there).
   */
  public static String suffix(Throwable error) {
    Throwable root = of(error);
    return root == error || root.getMessage() == null ? "" : " (" + root.getMessage() + ")";
  }
}
