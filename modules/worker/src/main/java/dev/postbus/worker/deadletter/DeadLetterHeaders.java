package dev.postbus.worker.deadletter;

/** The Kafka headers a dead-letter record carries, beside the original payload bytes (unchanged). */
public final class DeadLetterHeaders {

  private DeadLetterHeaders() {}

  public static final String CLASS = "postbus.dlt.class";
  public static final String REASON = "postbus.dlt.reason";
  public static final String CODE = "postbus.dlt.code";
  public static final String ENHANCED_CODE = "postbus.dlt.enhanced-code";
  public static final String REPLY = "postbus.dlt.reply";
  public static final String COMMAND = "postbus.dlt.command";
  public static final String ATTEMPTS = "postbus.dlt.attempts";
  public static final String FIRST_FAILURE = "postbus.dlt.first-failure";
  public static final String LAST_FAILURE = "postbus.dlt.last-failure";
  public static final String ORIGINAL_TOPIC = "postbus.original.topic";
  public static final String ORIGINAL_PARTITION = "postbus.original.partition";
  public static final String ORIGINAL_OFFSET = "postbus.original.offset";
  public static final String WORKER = "postbus.worker";

  /** Longest reason or reply text kept in a header. */
  public static final int MAX_TEXT = 512;
}
