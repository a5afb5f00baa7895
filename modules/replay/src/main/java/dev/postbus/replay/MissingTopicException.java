package dev.postbus.replay;

/**
 * A dead letter's destination topic (its class's: the jobs topic, or {@code <topic>.bulk}) does not
 * exist: the replay stops before it, at once, rather than wait out the producer's metadata timeout.
 * What was replayed before it is remembered; the same replay run again once the topic exists goes
 * on from it.
 */
public final class MissingTopicException extends RuntimeException {

  private final String topic;
  private final long replayedBefore;

  MissingTopicException(String topic, String jobsTopic, String jobId, long replayedBefore) {
    super(
        topic
            + " does not exist, so dead letter "
            + jobId
            + " cannot be replayed to it; "
            + replayedBefore
            + (replayedBefore == 1 ? " dead letter was" : " dead letters were")
            + " replayed before it. Create it with `postbus topics create -t "
            + jobsTopic
            + "` (it creates the missing topics of "
            + jobsTopic
            + ", "
            + topic
            + " among them) and run the same replay again: what it replayed before is"
            + " remembered");
    this.topic = topic;
    this.replayedBefore = replayedBefore;
  }

  /** Dead letters this run replayed before it stopped. */
  public long replayedBefore() {
    return replayedBefore;
  }

  /**
   * The warning a preview gives when matching dead letters would go to {@code topic}, which does
   * not exist.
   */
  public static String warning(String topic, String jobsTopic) {
    return topic
        + " does not exist: the replay would stop at the first dead letter to it; create it with"
        + " `postbus topics create -t "
        + jobsTopic
        + "` first";
  }

  public String topic() {
    return topic;
  }
}
