package dev.postbus.smtp.internal;

/**
 * A failure described for logs and outcomes: the innermost exception's class and message, no
 * addresses.
 */
final class Problems {

  private Problems() {}

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : " (" + msg.strip() + ")");
  }
}
