package dev.postbus.feedback.config;

import java.util.List;

/** Every key of {@code postbus feedback}, in the order the reference shows them. */
public final class FeedbackKeys {

  private FeedbackKeys() {}

  public static final FeedbackKey HOST =
      new FeedbackKey(
          "feedback.host",
          "address",
          "127.0.0.1",
          false,
          "an address of this machine",
          "Address to listen on. Providers must reach it (behind a load balancer, 0.0.0.0): every"
              + " endpoint checks its source's signature or credentials.");
  public static final FeedbackKey PORT =
      new FeedbackKey(
          "feedback.port", "port", "8090", false, "0 to 65535 (0: any free port)", "Port.");
  public static final FeedbackKey SES_TOPIC_ARNS =
      new FeedbackKey(
          "feedback.ses.topic-arns",
          "list",
          null,
          false,
          "comma-separated arn:aws:sns:<region>:<account>:<name>",
          "The SNS topics whose messages /feedback/ses accepts (and whose subscription it"
              + " confirms). Empty: the endpoint refuses everything.");
  public static final FeedbackKey SENDGRID_PUBLIC_KEY =
      new FeedbackKey(
          "feedback.sendgrid.public-key",
          "text",
          null,
          false,
          "the base64 key SendGrid shows under Signed Event Webhook (an EC P-256 public key)",
          "Verification key of SendGrid's signed Event Webhook. Unset: /feedback/sendgrid refuses"
              + " everything.");
  public static final FeedbackKey POSTMARK_PASSWORD_FILE =
      new FeedbackKey(
          "feedback.postmark.password-file",
          "file",
          null,
          true,
          "a readable file of at least 16 characters",
          "Password Postmark sends by HTTP Basic (any user name). Unset: /feedback/postmark"
              + " refuses everything.");
  public static final FeedbackKey MAILGUN_SIGNING_KEY_FILE =
      new FeedbackKey(
          "feedback.mailgun.signing-key-file",
          "file",
          null,
          true,
          "a readable file, not empty",
          "Mailgun's HTTP webhook signing key. Unset: /feedback/mailgun refuses everything.");
  public static final FeedbackKey GENERIC_TOKEN_FILE =
      new FeedbackKey(
          "feedback.generic.token-file",
          "file",
          null,
          true,
          "a readable file of at least 16 characters",
          "Bearer token of /feedback/generic. Unset: the endpoint refuses everything (in `postbus"
              + " dev` only, loopback callers need none).");
  public static final FeedbackKey EVENTS_TOPIC =
      new FeedbackKey(
          "feedback.events-topic",
          "topic",
          "postbus.events",
          false,
          "a topic name, or `none` for no events",
          "Where `bounced` and `complained` events go (the workers' events topic).");
  public static final FeedbackKey MAX_BODY =
      new FeedbackKey(
          "feedback.max-body",
          "bytes",
          "1048576",
          false,
          "1024 to 16777216",
          "Largest request body accepted; larger ones get 413.");
  public static final FeedbackKey MAX_AGE =
      new FeedbackKey(
          "feedback.max-age",
          "duration",
          "1h",
          false,
          "1m to 7d",
          "Oldest signed timestamp accepted (SNS's Timestamp, SendGrid's timestamp header,"
              + " Mailgun's signature timestamp): older requests are refused as replays, as are"
              + " timestamps more than 5 minutes ahead. SNS keeps a notification's Timestamp on"
              + " its retries: keep this above your SNS delivery policy's retry window.");
  public static final FeedbackKey KAFKA_TIMEOUT =
      new FeedbackKey(
          "feedback.kafka-timeout",
          "duration",
          "10s",
          false,
          "1s to 2m",
          "How long a request waits for Kafka to acknowledge its records before answering 503"
              + " (the provider then retries).");
  public static final FeedbackKey DEDUPE_ENTRIES =
      new FeedbackKey(
          "feedback.dedupe-entries",
          "count",
          "100000",
          false,
          "1000 to 10000000",
          "Provider event ids remembered to drop repeats (per replica, in memory, oldest"
              + " forgotten first).");
  public static final FeedbackKey DEDUPE_WINDOW =
      new FeedbackKey(
          "feedback.dedupe-window",
          "duration",
          "24h",
          false,
          "1m to 7d",
          "How long an event id is remembered.");
  public static final FeedbackKey CREATE_TOPICS =
      new FeedbackKey(
          "feedback.create-topics",
          "boolean",
          "true",
          false,
          "true, false",
          "Create `<topic>.feedback` at start-up when it is missing.");
  public static final FeedbackKey TOPIC_PARTITIONS =
      new FeedbackKey(
          "feedback.topic-partitions", "count", "6", false, "1 to 1000", "Its partitions.");
  public static final FeedbackKey TOPIC_REPLICATION =
      new FeedbackKey(
          "feedback.topic-replication",
          "count",
          "1",
          false,
          "1 to 10",
          "Its replication factor (3 in production).");

  public static final FeedbackKey SMTP_PORT =
      new FeedbackKey(
          "feedback.smtp-port",
          "port",
          null,
          false,
          "0 to 65535 (0: any free port)",
          "Port of the SMTP listener for delivery status notifications (RFC 3464) and ARF"
              + " complaints (RFC 5965), on `feedback.host`. Unset: no SMTP listener.");
  public static final FeedbackKey BOUNCE_DOMAIN =
      new FeedbackKey(
          "feedback.bounce-domain",
          "domain",
          null,
          false,
          "a domain name",
          "The domain the SMTP listener takes mail for (its MX points here); a recipient in any"
              + " other domain gets 550. Required with `feedback.smtp-port`.");
  public static final FeedbackKey SMTP_MAX_MESSAGE =
      new FeedbackKey(
          "feedback.smtp-max-message",
          "bytes",
          "10485760",
          false,
          "16384 to 67108864",
          "Largest message the SMTP listener takes; a larger one gets 552.");
  public static final FeedbackKey RETURN_PATH_DOMAIN =
      new FeedbackKey(
          "feedback.return-path-domain",
          "domain",
          null,
          false,
          "a domain name",
          "The VERP domain: the SMTP listener also takes mail for it, and a recipient"
              + " `bounces+<token>@` it only with a token that verifies (else 550). Needs"
              + " `feedback.verp-key-file` and `feedback.smtp-port`.");
  public static final FeedbackKey VERP_KEY_FILE =
      new FeedbackKey(
          "feedback.verp-key-file",
          "file",
          null,
          true,
          "a readable file of at least 32 characters",
          "The HMAC key of VERP tokens (the workers sign with the same file). Needs"
              + " `feedback.return-path-domain`.");
  public static final FeedbackKey VERP_PREVIOUS_KEY_FILE =
      new FeedbackKey(
          "feedback.verp-previous-key-file",
          "file",
          null,
          true,
          "a readable file of at least 32 characters",
          "The VERP key before a rotation: tokens it made still verify (DSNs come back for days),"
              + " none are made with it. Keep it until a week after the workers got the new key."
              + " Needs `feedback.verp-key-file`.");

  public static final FeedbackKey UNSUBSCRIBE_KEY_FILE =
      new FeedbackKey(
          "feedback.unsubscribe-key-file",
          "file",
          null,
          true,
          "a readable file of at least 32 characters",
          "The HMAC key of one-click unsubscribe links (the workers sign with the same file, and"
              + " set unsubscribe.base-url to where this receiver is reached). Set: POST /u/<token>"
              + " puts the recipient on the suppression list for that list (source unsubscribe),"
              + " GET /u/<token> shows a page with a button. Unset: /u/ answers 404.");
  public static final FeedbackKey UNSUBSCRIBE_PREVIOUS_KEY_FILE =
      new FeedbackKey(
          "feedback.unsubscribe-previous-key-file",
          "file",
          null,
          true,
          "a readable file of at least 32 characters",
          "The unsubscribe key before a rotation: links it made still work, none are made with it."
              + " Keep it as long as mail sent before the rotation may be read (months: people"
              + " unsubscribe from old mail). Needs `feedback.unsubscribe-key-file`.");

  public static final FeedbackKey SOFT_BOUNCE_LIMIT =
      new FeedbackKey(
          "feedback.soft-bounce.limit",
          "count",
          "3",
          false,
          "0 to 100 (0: soft bounces never suppress)",
          "Transient bounces (soft bounces: a full mailbox, a greylisting relay giving up) of one"
              + " recipient within feedback.soft-bounce.window that put it on the suppression list"
              + " (source feedback). Counted from <topic>.feedback by every replica.");
  public static final FeedbackKey SOFT_BOUNCE_WINDOW =
      new FeedbackKey(
          "feedback.soft-bounce.window",
          "duration",
          "7d",
          false,
          "1h to 30d; keep <topic>.feedback's retention.ms at least this long",
          "How far back soft bounces count. A replica reads this much of <topic>.feedback at"
              + " start-up to count them again.");

  public static final FeedbackKey SOFT_BOUNCE_MAX_RECIPIENTS =
      new FeedbackKey(
          "feedback.soft-bounce.max-recipients",
          "count",
          "300000",
          false,
          "1000 to 10000000",
          "The most recipients whose soft bounces a replica keeps (about 170 bytes each at a limit of"
              + " 3, 16 more per report beyond: about 50 MiB by default). When full, the recipient"
              + " reported least recently is forgotten (its count starts again), counted in"
              + " postbus_feedback_soft_bounce_evicted_total.");

  public static final List<FeedbackKey> ALL =
      List.of(
          HOST,
          PORT,
          SES_TOPIC_ARNS,
          SENDGRID_PUBLIC_KEY,
          POSTMARK_PASSWORD_FILE,
          MAILGUN_SIGNING_KEY_FILE,
          GENERIC_TOKEN_FILE,
          EVENTS_TOPIC,
          MAX_BODY,
          MAX_AGE,
          KAFKA_TIMEOUT,
          DEDUPE_ENTRIES,
          DEDUPE_WINDOW,
          CREATE_TOPICS,
          TOPIC_PARTITIONS,
          TOPIC_REPLICATION,
          SMTP_PORT,
          BOUNCE_DOMAIN,
          SMTP_MAX_MESSAGE,
          RETURN_PATH_DOMAIN,
          VERP_KEY_FILE,
          SOFT_BOUNCE_LIMIT,
          SOFT_BOUNCE_WINDOW,
          SOFT_BOUNCE_MAX_RECIPIENTS,
          VERP_PREVIOUS_KEY_FILE,
          UNSUBSCRIBE_KEY_FILE,
          UNSUBSCRIBE_PREVIOUS_KEY_FILE);
}
