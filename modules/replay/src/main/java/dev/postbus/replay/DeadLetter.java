package dev.postbus.replay;

import dev.postbus.job.InvalidJobException;
import dev.postbus.job.JobCodec;
import dev.postbus.job.JobLimits;
import dev.postbus.job.MailAddress;
import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** One record of the dead-letter topic, with what its headers say. */
public record DeadLetter(
    ConsumerRecord<byte[], byte[]> record,
    String jobId,
    String failureClass,
    String code,
    String enhancedCode,
    String reason,
    String reply,
    Instant time,
    int replayCount) {

  private static final JobCodec CODEC =
      new JobCodec(new JobLimits(Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 4, 10_000));

  public static DeadLetter of(ConsumerRecord<byte[], byte[]> r) {
    String jobId = jobId(r);
    String last = header(r, PostbusHeaders.LAST_FAILURE);
    Instant time = last != null ? parse(last) : Instant.ofEpochMilli(r.timestamp());
    String replays = header(r, PostbusHeaders.REPLAY_COUNT);
    return new DeadLetter(
        r,
        jobId,
        orEmpty(header(r, PostbusHeaders.CLASS)),
        orEmpty(header(r, PostbusHeaders.CODE)),
        orEmpty(header(r, PostbusHeaders.ENHANCED_CODE)),
        orEmpty(header(r, PostbusHeaders.REASON)),
        orEmpty(header(r, PostbusHeaders.REPLY)),
        time == null ? Instant.ofEpochMilli(r.timestamp()) : time,
        replays == null ? 0 : parseInt(replays));
  }

  /**
   * The job's id: its payload's {@code id} (the key may be a recipient's address: job-format.md
   * allows keying by recipient). A payload that is not a job falls back to the key, and a key that
   * looks like an address to its domain only ({@code @example.com}): no address is shown.
   */
  static String jobId(ConsumerRecord<byte[], byte[]> r) {
    String id = PayloadId.of(r.value());
    if (id != null) {
      return id;
    }
    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    int at = key.lastIndexOf('@');
    return at < 0 ? key : key.substring(at);
  }

  /**
   * Domains of the recipients this dead letter is about (the limited set after a partial send).
   * Worked out when asked, not when read: it may parse the payload, and a scan of a large topic
   * asks only for the rows it shows or when it filters by domain.
   */
  public List<String> recipientDomains() {
    TreeSet<String> out = new TreeSet<>();
    addresses(record).forEach(a -> out.add(MailAddress.of(a).domain()));
    return List.copyOf(out);
  }

  /**
   * The recipients this dead letter is about: those it was limited to after a partial send, else
   * every recipient of its job; empty when the payload is not a job.
   */
  public List<String> recipients() {
    return addresses(record);
  }

  /** The list of the dead letter's job ({@code unsubscribe.list}), or null: none, or not a job. */
  public String list() {
    try {
      return CODEC.parse(record.value()).list();
    } catch (InvalidJobException | RuntimeException e) {
      return null;
    }
  }

  private static List<String> addresses(ConsumerRecord<byte[], byte[]> r) {
    String limited = header(r, PostbusHeaders.RECIPIENTS);
    if (limited != null) {
      List<String> out = new java.util.ArrayList<>();
      for (String a : limited.replaceAll("[\\[\\]\"]", "").split(",")) {
        if (!a.isBlank()) {
          out.add(a.strip());
        }
      }
      return out;
    }
    try {
      return CODEC.parse(r.value()).recipients().stream().map(MailAddress::address).toList();
    } catch (InvalidJobException | RuntimeException e) {
      return List.of(); // poison: no readable recipients
    }
  }

  /** A header's value as text, or null when the record has none of that name. */
  public String header(String name) {
    return header(record, name);
  }

  /**
   * Where the job's original record is: {@code topic-partition@offset}, "?" for what a header does
   * not say.
   */
  public String original() {
    return orUnknown(header(PostbusHeaders.ORIGINAL_TOPIC))
        + "-"
        + orUnknown(header(PostbusHeaders.ORIGINAL_PARTITION))
        + "@"
        + orUnknown(header(PostbusHeaders.ORIGINAL_OFFSET));
  }

  private static String orUnknown(String s) {
    return s == null ? "?" : s;
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static Instant parse(String s) {
    try {
      return Instant.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * True when the payload was too large for the dead-letter topic and left out; it can still be
   * read from the jobs topic (postbus.original.* headers) while that retains it.
   */
  public boolean payloadOmitted() {
    return record.value() == null
        || record.headers().lastHeader(PostbusHeaders.PAYLOAD_OMITTED) != null;
  }

  /**
   * Why it cannot be replayed from the dead-letter topic, and where its original is, when its
   * payload was left out ({@link #payloadOmitted}); null otherwise. One sentence, for the console
   * and the CLI.
   */
  public String payloadOmittedNote() {
    return payloadOmitted()
        ? "Its payload was too large for the dead-letter topic and was left out, so it cannot be"
            + " replayed from here. The original is at "
            + original()
            + " while the jobs topic keeps it."
        : null;
  }

  /** A header's value as text: "" for a header without a value (a record may carry one). */
  public static String text(Header h) {
    return h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Where it sits in the dead-letter topic: {@code partition@offset}. */
  public String position() {
    return record.partition() + "@" + record.offset();
  }
}
