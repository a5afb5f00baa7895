package dev.postbus.smtp;

/**
 * An exception for logs: the class names and stack frames of another and of its causes, never their
 * messages (a message can hold a relay's reply naming a recipient, or a header's value).
 */
public final class TraceOnly extends RuntimeException {

  /** Causes followed at most (a cycle, or a very deep chain, ends there). */
  private static final int MAX_CAUSES = 16;

  private TraceOnly(Throwable e, Throwable cause) {
    super(e.getClass().getName(), cause, false, true);
    setStackTrace(e.getStackTrace());
  }

  /** {@code e} without its message, nor its causes' (their classes and frames kept). */
  public static TraceOnly of(Throwable e) {
    return of(e, 0);
  }

  private static TraceOnly of(Throwable e, int depth) {
    Throwable cause = e.getCause();
    boolean more = cause != null && cause != e && depth < MAX_CAUSES;
    return new TraceOnly(e, more ? of(cause, depth + 1) : null);
  }
}
