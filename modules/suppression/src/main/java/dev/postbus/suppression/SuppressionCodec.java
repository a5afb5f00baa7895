package dev.postbus.suppression;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.MailAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A suppression as a Kafka record: the key is the normalized address for a global entry, or {@code
 * list:<list> <address>} for an entry scoped to a list (a space is in no address, so the two never
 * meet; a reader before scopes skips such a key as malformed rather than take it for global); the
 * value a small JSON object ({@code v, reason, code, enhancedCode, source, at, expiresAt, list}); a
 * null value (a tombstone) removes the entry.
 *
 * <p>Versions of the value: 1 (no {@code v}; every entry written before scopes, read as global) and
 * 2 ({@code v: 2}, with {@code list} when scoped, which must agree with the key). A newer version
 * still suppresses (skipping it would mail the address): its scope is the key's, and of its fields
 * this reader takes those it knows in the shape it knows; one it cannot read gets a stand-in (no
 * expiry, a reason naming the version, the source {@code operator}, or {@code unsubscribe} for a
 * list's entry; {@code at} the epoch).
 */
public final class SuppressionCodec {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SuppressionCodec() {}

  /** A record on the topic that is not a suppression; the reader skips and counts it. */
  public static final class MalformedException extends Exception {
    public MalformedException(String field, String problem) {
      super(field + ": " + problem);
    }
  }

  /**
   * The key of the bounce-rate guard's trip, kept on the suppressions topic beside the addresses
   * (no address can be it): its latest value is the trip, a tombstone is the resume. Compaction
   * keeps the latest, so the trip holds for every worker of the group and across restarts.
   */
  public static final String GUARD_KEY = "!bounce-guard";

  /** Whether a record's key is the bounce-rate guard's rather than an address. */
  public static boolean isGuard(byte[] key) {
    return key != null && GUARD_KEY.equals(new String(key, StandardCharsets.UTF_8));
  }

  /** The version of the values this code writes. */
  public static final int VERSION = 2;

  private static final String LIST_PREFIX = "list:";

  /** An entry's identity: the normalized address, and its list or null (global). */
  public record Key(String address, String list) {
    public Key {
      address = Addresses.normalize(address);
      if (list != null && !dev.postbus.job.Unsubscribe.isValidList(list)) {
        throw new IllegalArgumentException("list: " + dev.postbus.job.Unsubscribe.LIST_RULE);
      }
    }

    public byte[] bytes() {
      String k = list == null ? address : LIST_PREFIX + list + " " + address;
      return k.getBytes(StandardCharsets.UTF_8);
    }

    /** The scope in words: the list's name, or {@code global}. */
    public String scope() {
      return list == null ? "global" : "list " + list;
    }

    /** Never shows the address: its domain and the scope. */
    @Override
    public String toString() {
      return "Key[*@" + Addresses.domain(address) + ", " + scope() + "]";
    }
  }

  /** The key of the global entry of {@code address}. */
  public static byte[] key(String address) {
    return new Key(address, null).bytes();
  }

  /** The key of the entry of {@code address} scoped to {@code list} (global when null). */
  public static byte[] key(String address, String list) {
    return new Key(address, list).bytes();
  }

  public static byte[] value(Suppression s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("v", VERSION);
    n.put("reason", s.reason());
    if (s.code() != null) {
      n.put("code", s.code());
    }
    if (s.enhancedCode() != null) {
      n.put("enhancedCode", s.enhancedCode());
    }
    n.put("source", s.source().label());
    n.put("at", s.at().toString());
    if (s.expiresAt() != null) {
      n.put("expiresAt", s.expiresAt().toString());
    }
    if (s.list() != null) {
      n.put("list", s.list());
    }
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The address a record's key names (a global entry's key). */
  public static String address(byte[] key) throws MalformedException {
    Key k = parseKey(key);
    if (k.list() != null) {
      throw new MalformedException("key", "scoped to a list where a global entry was expected");
    }
    return k.address();
  }

  /** The address and the list (or none) a record's key names. */
  public static Key parseKey(byte[] key) throws MalformedException {
    if (key == null || key.length == 0) {
      throw new MalformedException("key", "missing (it must be the address)");
    }
    String text = new String(key, StandardCharsets.UTF_8);
    String list = null;
    String address = text;
    if (text.startsWith(LIST_PREFIX)) {
      int space = text.indexOf(' ');
      list = space < 0 ? "" : text.substring(LIST_PREFIX.length(), space);
      if (!dev.postbus.job.Unsubscribe.isValidList(list)) {
        throw new MalformedException("key", "list: " + dev.postbus.job.Unsubscribe.LIST_RULE);
      }
      address = text.substring(space + 1);
    }
    if (!MailAddress.isValid(address.strip())) {
      throw new MalformedException("key", "not a valid email address");
    }
    return new Key(address, list);
  }

  /** Reads a global entry's value (not a tombstone) for the address its key names. */
  public static Suppression read(String address, byte[] value) throws MalformedException {
    return read(new Key(address, null), value);
  }

  /** Reads a record's value (not a tombstone) for the entry its key names. */
  public static Suppression read(Key key, byte[] value) throws MalformedException {
    JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (IOException e) {
      throw new MalformedException("(value)", "not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new MalformedException("(value)", "not a JSON object");
    }
    int version = version(n);
    if (version > VERSION) {
      return newer(key, n, version);
    }
    String list = version >= 2 ? text(n, "list", false) : null;
    if (!java.util.Objects.equals(list, key.list())) {
      throw new MalformedException(
          "list", "the value's list does not agree with the key's (" + key.scope() + ")");
    }
    String reason = text(n, "reason", true);
    String sourceLabel = text(n, "source", true);
    Source source = Source.fromLabel(sourceLabel);
    if (source == null) {
      throw new MalformedException("source", "not one of " + Source.labels());
    }
    Integer code = null;
    if (n.hasNonNull("code")) {
      if (!n.get("code").canConvertToInt()
          || n.get("code").asInt() < 200
          || n.get("code").asInt() > 599) {
        throw new MalformedException("code", "not a reply code (200 to 599)");
      }
      code = n.get("code").asInt();
    }
    return new Suppression(
        key.address(),
        reason,
        code,
        text(n, "enhancedCode", false),
        source,
        time(n, "at", true),
        time(n, "expiresAt", false),
        list);
  }

  /** A value of a version newer than this reader's: what it can read of it, scoped by the key. */
  private static Suppression newer(Key key, JsonNode n, int version) {
    String reason = lenient(() -> text(n, "reason", true));
    Source source = lenient(() -> Source.fromLabel(text(n, "source", true)));
    Instant at = lenient(() -> time(n, "at", true));
    Integer code = lenient(() -> n.get("code").canConvertToInt() ? n.get("code").asInt() : null);
    return new Suppression(
        key.address(),
        reason != null ? reason : "(an entry of value version " + version + ")",
        code != null && code >= 200 && code <= 599 ? code : null,
        lenient(() -> text(n, "enhancedCode", false)),
        source != null ? source : key.list() == null ? Source.OPERATOR : Source.UNSUBSCRIBE,
        at != null ? at : Instant.EPOCH,
        lenient(() -> time(n, "expiresAt", false)),
        key.list());
  }

  private interface Field<T> {
    T read() throws MalformedException;
  }

  /** The field, or null when it is missing or of a shape this reader does not know. */
  private static <T> T lenient(Field<T> f) {
    try {
      return f.read();
    } catch (MalformedException | RuntimeException e) {
      return null;
    }
  }

  /** 1 when absent (written before scopes), else the value's {@code v}. */
  private static int version(JsonNode n) throws MalformedException {
    JsonNode v = n.get("v");
    if (v == null || v.isNull()) {
      return 1;
    }
    if (!v.canConvertToInt() || v.asInt() < 1) {
      throw new MalformedException("v", "not a version number");
    }
    return v.asInt();
  }

  private static String text(JsonNode n, String field, boolean required) throws MalformedException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new MalformedException(field, "missing");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new MalformedException(field, "not a string");
    }
    return v.asText();
  }

  private static Instant time(JsonNode n, String field, boolean required)
      throws MalformedException {
    String t = text(n, field, required);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new MalformedException(field, "not an ISO-8601 instant (2026-12-02T10:00:00Z)");
    }
  }
}
