package dev.postbus.replay;

/**
 * A dead letter's destination topic (its class's: the jobs topic, or {@code <topic>.bulk}) does not
 * exist: the replay stops before it, at once, rather than wait out the producer's metadata timeout.
 * What was replayed before it is remembered; the same replay run again once the topic exists goes
 * on from it.
 */
public final class MissingTopicException extends IllegalStateException {

  private final String topic;

  MissingTopicException(String topic, String jobsTopic, String jobId) {
    super(
        topic
            + " does not exist, so dead letter "
            + jobId
            + " cannot be replayed to it; create it with `postbus topics create -t "
            + jobsTopic
            + "` (it creates the missing topics of "
            + jobsTopic
            + ", "
            + topic
            + " among them) and run the same replay again: what it replayed before is"
            + " remembered");
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }
}
