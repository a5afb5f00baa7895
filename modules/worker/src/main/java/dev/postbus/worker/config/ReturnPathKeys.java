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
          "VERP: send each job with the envelope sender bounces+<token>@<this domain>, the token"
              + " carrying the job id and an HMAC, so that the bounces (DSNs) relays send to the"
              + " return path reach postbus feedback tied to their job (its SMTP listener takes"
              + " mail for this domain; point the domain's MX there). Needs"
              + " feedback.verp-key-file. Unset: the envelope sender is the job's from. Behind"
              + " SES the return path is SES's own: use its SNS notifications (docs/feedback.md).");

  public static final ConfigKey<String> VERP_KEY_FILE =
      ConfigKey.of(
          "feedback.verp-key-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the HMAC key of VERP tokens, at least "
              + MIN_KEY_LENGTH
              + " characters (trailing newline ignored): the same file as postbus feedback's."
              + " Read at start-up. Needs feedback.return-path-domain.");
}
