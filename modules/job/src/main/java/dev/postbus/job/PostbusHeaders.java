package dev.postbus.job;

/**
 * Kafka header names Postbus reads and writes beside a job's payload, which is never rewritten.
 * Part of the wire contract: retry and dead-letter records carry the original bytes plus these
 * headers.
 */
public final class PostbusHeaders {

  private PostbusHeaders() {}

  /** Delivery attempts already made (absent: none). */
  public static final String ATTEMPT = "postbus.attempt";

  /** When the first attempt failed (ISO-8601). */
  public static final String FIRST_FAILURE = "postbus.first-failure";

  /** When a retry record is due (ISO-8601). */
  public static final String DUE = "postbus.due";

  /**
   * JSON array of addresses: deliver to these recipients of the job only (what is left after a
   * partial send).
   */
  public static final String RECIPIENTS = "postbus.recipients";

  /** How many times an operator replayed this job from the dead-letter topic. */
  public static final String REPLAY_COUNT = "replay-count";

  public static final String CLASS = "postbus.dlt.class";
  public static final String REASON = "postbus.dlt.reason";

  /**
   * On a dead letter whose payload was too large for the dead-letter topic: the payload's size in
   * bytes. The payload stays readable at postbus.original.topic/partition/offset while the jobs
   * topic retains it.
   */
  public static final String PAYLOAD_OMITTED = "postbus.dlt.payload-omitted";

  public static final String CODE = "postbus.dlt.code";
  public static final String ENHANCED_CODE = "postbus.dlt.enhanced-code";
  public static final String REPLY = "postbus.dlt.reply";
  public static final String COMMAND = "postbus.dlt.command";
  public static final String ATTEMPTS = "postbus.dlt.attempts";
  public static final String LAST_FAILURE = "postbus.dlt.last-failure";
  public static final String IN_DOUBT = "postbus.in-doubt";
  public static final String ORIGINAL_TOPIC = "postbus.original.topic";
  public static final String ORIGINAL_PARTITION = "postbus.original.partition";
  public static final String ORIGINAL_OFFSET = "postbus.original.offset";

  /**
   * On a dead letter whose record had a {@link #RECIPIENTS} header the worker could not use (not a
   * JSON array of addresses, or naming none of the job's recipients): that header's bytes, exactly,
   * for the operator to see. Never read as a restriction: a replay leaves it out, and so sends to
   * all of the job's recipients.
   */
  public static final String ORIGINAL_RECIPIENTS = "postbus.original.recipients";

  public static final String WORKER = "postbus.worker";

  /**
   * The class a retry record or dead letter was scheduled in ({@code transactional} or {@code
   * bulk}): the class of the topic the job was first consumed from.
   */
  public static final String JOB_CLASS = "postbus.class";

  /** Longest reason or reply text kept in a header. */
  public static final int MAX_TEXT = 512;

  /** True for headers Postbus sets itself; the rest are the publisher's and travel unchanged. */
  public static boolean isPostbusHeader(String name) {
    return name.startsWith("postbus.") || name.equals(REPLAY_COUNT);
  }
}
