package dev.postbus.worker.ops;

/**
 * What an operator's resume of the bounce-rate guard got.
 *
 * @param problem why the resume was not written to Kafka ({@link Kind#NOT_WRITTEN}), else null
 */
public record ResumeAnswer(Kind kind, String problem) {

  /** The three ways a resume ends. */
  public enum Kind {
    /** The resume is on the topic and delivery goes on (the whole group's). */
    RESUMED,
    /** The guard was not holding delivery: nothing to do. */
    NOT_HELD,
    /** Kafka did not take the resume in time: this worker (and the group) stays paused. */
    NOT_WRITTEN
  }

  public static final ResumeAnswer DONE = new ResumeAnswer(Kind.RESUMED, null);
  public static final ResumeAnswer NOT_HELD = new ResumeAnswer(Kind.NOT_HELD, null);

  public static ResumeAnswer notWritten(String problem) {
    return new ResumeAnswer(Kind.NOT_WRITTEN, problem);
  }
}
