package dev.postbus.replay;

import dev.postbus.job.PostbusHeaders;
import java.time.Instant;
import java.util.List;

/**
 * What a replay's result keeps of one dead letter, to show it: no payload, so a result's size does
 * not depend on the jobs' sizes.
 *
 * @param position where it sits in the dead-letter topic ({@code partition@offset})
 * @param attempts the attempts header as written, or empty
 * @param original where the job's original record is ({@link DeadLetter#original})
 * @param notReplayable why it could not be replayed, or null
 */
public record DeadLetterRow(
    String position,
    String jobId,
    String failureClass,
    String code,
    String enhancedCode,
    String reason,
    Instant time,
    List<String> domains,
    String attempts,
    int replayCount,
    String original,
    String notReplayable) {

  public DeadLetterRow {
    domains = List.copyOf(domains);
  }

  /** The row of a dead letter; {@code notReplayable} null for one that could be replayed. */
  public static DeadLetterRow of(DeadLetter d, String notReplayable) {
    String attempts = d.header(PostbusHeaders.ATTEMPTS);
    return new DeadLetterRow(
        d.position(),
        d.jobId(),
        d.failureClass(),
        d.code(),
        d.enhancedCode(),
        d.reason(),
        d.time(),
        d.recipientDomains(),
        attempts == null ? "" : attempts,
        d.replayCount(),
        d.original(),
        notReplayable);
  }
}
