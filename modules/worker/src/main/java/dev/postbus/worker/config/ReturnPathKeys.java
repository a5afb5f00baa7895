package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;

import java.util.regex.Pattern;

/**
 * The keys of the worker's side of feedback: the VERP return path. The same names (and environment
 * variables) as {@code postbus feedback} reads, so that one setting serves both. Every key is also
 * listed, in the order of the configuration reference, in {@link Keys#ALL}.
 */
public final class ReturnPathKeys {

  private ReturnPathKeys() {}

  /** The shortest key (characters of the file, stripped), as the receiver requires. */
  public static final int MIN_KEY_LENGTH = dev.postbus.job.VerpToken.MIN_KEY_LENGTH;

  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  public static final ConfigKey<String> RETURN_PATH_DOMAIN =
      ConfigKey.of(
          "feedback.return-path-domain",
          FREQUENT,
          new ValueType<>(
              "domain",
              "a domain name",
              s -> {
                String d = s.strip().toLowerCase(java.util.Locale.ROOT);
                if (!DOMAIN.matcher(d).matches()) {
                  throw new IllegalArgumentException();
                }
                return d;
              }),
          null,
          "VERP: send each job to a plain MTA (provider none) with the envelope sender"
              + " bounces+<token>@<this domain>, the token"
              + " carrying the job id and an HMAC, so that the bounces (DSNs) relays send to the"
              + " return path reach postbus feedback tied to their job (its SMTP listener takes"
              + " mail for this domain; point the domain's MX there). Needs"
              + " feedback.verp-key-file. Unset, on a relay of a provider (SES and the others refuse an"
              + " unverified MAIL FROM), or when the address would exceed RFC 5321's limits: the"
              + " envelope sender is the job's from (docs/feedback.md).");

  public static final ConfigKey<String> VERP_KEY_FILE =
      ConfigKey.of(
          "feedback.verp-key-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the HMAC key of VERP tokens, at least "
              + MIN_KEY_LENGTH
              + " characters (trailing newline ignored): the same file as postbus feedback's."
              + " Read at start-up. Needs feedback.return-path-domain. The worker signs with this"
              + " key only; the receiver's feedback.verp-previous-key-file is for rotations.");

  /**
   * The keys of {@code postbus feedback} the worker does not read: skipped in a file or environment
   * shared with the receiver (a typo of theirs, or any other {@code feedback.*} key, is still
   * refused). The CLI's tests keep it equal to the receiver's keys minus the worker's own.
   */
  public static final java.util.Set<String> RECEIVER_ONLY =
      java.util.Set.of(
          "feedback.host",
          "feedback.port",
          "feedback.ses.topic-arns",
          "feedback.sendgrid.public-key",
          "feedback.postmark.password-file",
          "feedback.mailgun.signing-key-file",
          "feedback.generic.token-file",
          "feedback.events-topic",
          "feedback.max-body",
          "feedback.max-age",
          "feedback.kafka-timeout",
          "feedback.dedupe-entries",
          "feedback.dedupe-window",
          "feedback.create-topics",
          "feedback.topic-partitions",
          "feedback.topic-replication",
          "feedback.smtp-port",
          "feedback.bounce-domain",
          "feedback.smtp-max-message",
          "feedback.verp-previous-key-file",
          "feedback.unsubscribe-previous-key-file",
          "feedback.soft-bounce.limit",
          "feedback.soft-bounce.window",
          "feedback.soft-bounce.max-recipients");
}
