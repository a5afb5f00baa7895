package dev.postbus.worker.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.worker.config.LedgerFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The value of a send-ledger entry. Format 1, binary (all integers unsigned LEB128 varints):
 *
 * <pre>
 *   version (one byte, 1) · partition · offset · at (epoch ms) · topic (length, UTF-8)
 *   then fields, each: tag (one byte) · length · bytes, until the end of the value:
 *     1 job id (UTF-8) · 2 the delivered event (JSON, as written to the events topic)
 *     3 the fingerprint of the record's value (the first 16 bytes of its SHA-256)
 *     4 the outcome (one byte: {@link LedgerOutcome#wire})
 * </pre>
 *
 * A reader skips a field whose tag it does not know, so a later writer adds fields without a new
 * version: tags 3 and 4 (idempotent publishing) came that way, and a reader of the first entries of
 * this format reads entries with them, and this one reads entries without them (their content and
 * outcome unknown: {@link LedgerOutcome#UNKNOWN}). Entries written before this format are
 * JSON objects (their first byte is {@code '{'}) and are still read: a rolling upgrade meets them.
 * A value of another version is refused with {@link UnknownVersion}, naming it.
 */
public final class LedgerCodec {

  /** The format this worker writes. */
  public static final byte VERSION = 1;

  static final int TAG_JOB_ID = 1;
  static final int TAG_EVENT = 2;
  static final int TAG_FINGERPRINT = 3;
  static final int TAG_OUTCOME = 4;

  private static final byte JSON_START = '{';
  private static final ObjectMapper JSON = new ObjectMapper();

  private LedgerCodec() {}

  /** A value of a format version this worker does not read (written by a newer one). */
  public static final class UnknownVersion extends IllegalArgumentException {
    UnknownVersion(int version) {
      super(
          "send ledger entry of format version "
              + version
              + ", unknown to this worker (it reads version "
              + VERSION
              + " and the JSON entries before it)");
    }
  }

  /** A value that starts as an entry but is not one (cut short, or not written by Postbus). */
  public static final class Malformed extends IllegalArgumentException {
    Malformed(String what) {
      super("malformed send ledger entry: " + what);
    }
  }

  /** The entry in {@code format} (JSON: what workers before format 1 wrote, and read). */
  public static byte[] encode(LedgerEntry e, LedgerFormat format) {
    return format == LedgerFormat.JSON ? encodeJson(e) : encode(e);
  }

  public static byte[] encode(LedgerEntry e) {
    byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(32 + topic.length + (e.event() == null ? 0 : e.event().length));
    out.write(VERSION);
    putVarint(out, e.partition());
    putVarint(out, e.offset());
    putVarint(out, e.atMillis());
    putBytes(out, topic);
    if (e.jobId() != null) {
      out.write(TAG_JOB_ID);
      putBytes(out, e.jobId().getBytes(StandardCharsets.UTF_8));
    }
    if (e.event() != null) {
      out.write(TAG_EVENT);
      putBytes(out, e.event());
    }
    if (e.fingerprint() != null) {
      out.write(TAG_FINGERPRINT);
      putBytes(out, e.fingerprint());
    }
    if (e.outcome() != LedgerOutcome.UNKNOWN) {
      out.write(TAG_OUTCOME);
      putVarint(out, 1);
      out.write(e.outcome().wire());
    }
    return out.toByteArray();
  }

  /**
   * The entry a value holds; null for no value (a tombstone) or a JSON value that is not an entry.
   *
   * @throws UnknownVersion for a format this worker does not read
   * @throws Malformed for a value cut short or not written by Postbus
   */
  public static LedgerEntry decode(byte[] value) {
    if (value == null) {
      return null;
    }
    if (value.length == 0) {
      throw new Malformed("empty value");
    }
    if (value[0] == JSON_START) {
      return decodeJson(value);
    }
    if (value[0] != VERSION) {
      throw new UnknownVersion(value[0] & 0xff);
    }
    return new Reader(value).entry();
  }

  /**
   * The fields of one entry that idempotent publishing keeps, as positions in {@link #value}: one
   * instance is reused for every entry of a takeover read (no objects per entry).
   */
  public static final class Scanned {
    public byte[] value;
    public int partition;
    public long offset;
    public long atMillis;
    public int topicStart;
    public int topicLength;
    public int idStart;
    public int idLength;
    public int fingerprintStart;
    public int fingerprintLength;
    public LedgerOutcome outcome;
  }

  /**
   * Reads the fields {@link Scanned} holds from a value of format 1 into {@code out}; false for a
   * value that is not one or names no job id (a tombstone, a JSON entry of before: those are read
   * by {@link #decode}).
   *
   * @throws UnknownVersion for a format this worker does not read
   * @throws Malformed for a value cut short
   */
  public static boolean scan(byte[] value, Scanned out) {
    if (value == null || value.length == 0 || value[0] == JSON_START) {
      return false;
    }
    if (value[0] != VERSION) {
      throw new UnknownVersion(value[0] & 0xff);
    }
    out.value = value;
    return new Reader(value).scan(out);
  }

  /** Reads format 1. */
  private static final class Reader {
    private final byte[] in;
    private int at = 1;

    Reader(byte[] in) {
      this.in = in;
    }

    LedgerEntry entry() {
      int partition = (int) varint("partition");
      long offset = varint("offset");
      long atMillis = varint("time");
      String topic = string("topic");
      String jobId = null;
      byte[] event = null;
      byte[] fingerprint = null;
      LedgerOutcome outcome = LedgerOutcome.UNKNOWN;
      while (at < in.length) {
        int tag = in[at++] & 0xff;
        int length = (int) varint("field " + tag);
        need(length, "field " + tag);
        if (tag == TAG_JOB_ID) {
          jobId = new String(in, at, length, StandardCharsets.UTF_8);
        } else if (tag == TAG_EVENT) {
          event = java.util.Arrays.copyOfRange(in, at, at + length);
        } else if (tag == TAG_FINGERPRINT) {
          fingerprint = java.util.Arrays.copyOfRange(in, at, at + length);
        } else if (tag == TAG_OUTCOME && length == 1) {
          outcome = LedgerOutcome.fromWire(in[at] & 0xff);
        } // else a field of a later writer: skipped
        at += length;
      }
      return new LedgerEntry(
          topic, partition, offset, jobId, atMillis, event, fingerprint, outcome);
    }

    /** What idempotent publishing keeps of an entry, without making its objects. */
    boolean scan(Scanned out) {
      out.partition = (int) varint("partition");
      out.offset = varint("offset");
      out.atMillis = varint("time");
      int topicLength = (int) varint("topic");
      need(topicLength, "topic");
      out.topicStart = at;
      out.topicLength = topicLength;
      at += topicLength;
      out.idStart = -1;
      out.fingerprintStart = -1;
      out.fingerprintLength = 0;
      out.outcome = LedgerOutcome.UNKNOWN;
      boolean event = false;
      while (at < in.length) {
        int tag = in[at++] & 0xff;
        int length = (int) varint("field " + tag);
        need(length, "field " + tag);
        if (tag == TAG_JOB_ID) {
          out.idStart = at;
          out.idLength = length;
        } else if (tag == TAG_EVENT) {
          event = true;
        } else if (tag == TAG_FINGERPRINT) {
          out.fingerprintStart = at;
          out.fingerprintLength = length;
        } else if (tag == TAG_OUTCOME && length == 1) {
          out.outcome = LedgerOutcome.fromWire(in[at] & 0xff);
        }
        at += length;
      }
      if (out.outcome == LedgerOutcome.UNKNOWN && event) {
        out.outcome = LedgerOutcome.DELIVERED; // an entry before tag 4 carries a delivery's event
      }
      return out.idStart >= 0;
    }

    private String string(String what) {
      int length = (int) varint(what);
      need(length, what);
      String s = new String(in, at, length, StandardCharsets.UTF_8);
      at += length;
      return s;
    }

    private void need(int length, String what) {
      if (length < 0 || length > in.length - at) {
        throw new Malformed(what + " runs past the end of the value");
      }
    }

    private long varint(String what) {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= in.length) {
          throw new Malformed(what + " cut short");
        }
        byte b = in[at++];
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new Malformed(what + " is not a varint");
    }
  }

  private static void putBytes(ByteArrayOutputStream out, byte[] bytes) {
    putVarint(out, bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  private static void putVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /**
   * {@code {"topic":..,"partition":..,"offset":..,"jobId":..,"at":..,"event":{..}}}: the event's
   * JSON bytes as they are, one copy.
   */
  private static byte[] encodeJson(LedgerEntry e) {
    com.fasterxml.jackson.databind.node.ObjectNode o = JSON.createObjectNode();
    o.put("topic", e.topic());
    o.put("partition", e.partition());
    o.put("offset", e.offset());
    if (e.jobId() != null) {
      o.put("jobId", e.jobId());
    }
    o.put("at", e.atMillis());
    if (e.fingerprint() != null) {
      o.put("fingerprint", e.fingerprint()); // base64; workers before it ignore the field
    }
    if (e.outcome() != LedgerOutcome.UNKNOWN) {
      o.put("outcome", e.outcome().wire());
    }
    byte[] fields;
    try {
      fields = JSON.writeValueAsBytes(o);
    } catch (IOException x) {
      throw new IllegalStateException(x);
    }
    if (e.event() == null) {
      return fields;
    }
    byte[] field = ",\"event\":".getBytes(StandardCharsets.US_ASCII);
    int head = fields.length - 1; // without the closing brace
    byte[] out = new byte[head + field.length + e.event().length + 1];
    System.arraycopy(fields, 0, out, 0, head);
    System.arraycopy(field, 0, out, head, field.length);
    System.arraycopy(e.event(), 0, out, head + field.length, e.event().length);
    out[out.length - 1] = '}';
    return out;
  }

  /** An entry as written before format 1: a JSON object. */
  private static LedgerEntry decodeJson(byte[] value) {
    JsonNode o;
    try {
      o = JSON.readTree(value);
    } catch (IOException e) {
      throw new Malformed("not JSON (" + e.getMessage() + ")");
    }
    if (o == null
        || !o.path("topic").isTextual()
        || !o.path("partition").canConvertToInt()
        || !o.path("offset").canConvertToLong()) {
      return null;
    }
    byte[] event;
    try {
      event = o.path("event").isObject() ? JSON.writeValueAsBytes(o.get("event")) : null;
    } catch (IOException e) {
      throw new Malformed("event not writable (" + e.getMessage() + ")");
    }
    return new LedgerEntry(
        o.get("topic").asText(),
        o.get("partition").asInt(),
        o.get("offset").asLong(),
        o.path("jobId").isTextual() ? o.get("jobId").asText() : null,
        o.path("at").asLong(),
        event,
        fingerprint(o),
        o.path("outcome").canConvertToInt()
            ? LedgerOutcome.fromWire(o.get("outcome").asInt())
            : LedgerOutcome.UNKNOWN);
  }

  /** A JSON entry's fingerprint (base64), null when none; malformed when not base64. */
  private static byte[] fingerprint(JsonNode o) {
    if (!o.path("fingerprint").isTextual()) {
      return null;
    }
    try {
      return o.get("fingerprint").binaryValue();
    } catch (IOException e) {
      throw new Malformed("fingerprint is not base64");
    }
  }
}
