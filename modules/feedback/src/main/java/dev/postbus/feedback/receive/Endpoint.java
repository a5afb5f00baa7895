package dev.postbus.feedback.receive;

/** One source's endpoint, {@code POST /feedback/<provider>}: verify, parse, write. */
public interface Endpoint {

  String provider();

  /** Answers once Kafka acknowledged what it wrote; throws a {@code Refusal} otherwise. */
  Answer handle(Request request);
}
