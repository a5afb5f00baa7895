package dev.postbus.job;

/**
 * A payload that is not a valid job. {@link #field()} names where the problem is ({@code to[1]},
 * {@code headers.X-Campaign}, or {@code (payload)} for the record as a whole); the message never
 * contains an address or a body.
 */
public final class InvalidJobException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  public InvalidJobException(String field, String problem) {
    super(field + ": " + problem, null, false, false);
    this.field = field;
    this.problem = problem;
  }

  public String field() {
    return field;
  }

  public String problem() {
    return problem;
  }
}
