package dev.postbus.embedded;

import java.time.Instant;
import java.util.List;

/** One message the capture server received, with the envelope it came with. */
public record CapturedMessage(
    long number,
    Instant receivedAt,
    String envelopeFrom,
    List<String> recipients,
    String messageId,
    String subject,
    byte[] raw) {

  public CapturedMessage {
    recipients = List.copyOf(recipients);
  }
}
