package dev.postbus.feedback.model;

/** The feedback topic: {@code <topic>.feedback}, keyed by job id (or recipient when unknown). */
public final class FeedbackTopic {

  private FeedbackTopic() {}

  public static String of(String jobsTopic) {
    return jobsTopic + ".feedback";
  }
}
