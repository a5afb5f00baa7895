package dev.postbus.feedback.receive;

/** What an endpoint answers when it accepted a request (refusals are {@code Refusal}s). */
public record Answer(int status, String text) {

  public static Answer accepted(int written, int repeats) {
    return new Answer(200, "accepted " + written + ", repeats " + repeats + "\n");
  }
}
