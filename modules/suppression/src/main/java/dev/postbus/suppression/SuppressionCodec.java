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
 * A suppression as a Kafka record: the key is the normalized address, the value a small JSON object
 * ({@code reason, code, enhancedCode, source, at, expiresAt}); a null value (a tombstone) removes
 * the address.
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

  public static byte[] key(String address) {
    return Addresses.normalize(address).getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] value(Suppression s) {
    ObjectNode n = JSON.createObjectNode();
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
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The address a record's key names. */
  public static String address(byte[] key) throws MalformedException {
    if (key == null || key.length == 0) {
      throw new MalformedException("key", "missing (it must be the address)");
    }
    String address = new String(key, StandardCharsets.UTF_8);
    if (!MailAddress.isValid(address.strip())) {
      throw new MalformedException("key", "not a valid email address");
    }
    return Addresses.normalize(address);
  }

  /** Reads a record's value (not a tombstone) for the address its key names. */
  public static Suppression read(String address, byte[] value) throws MalformedException {
    JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (IOException e) {
      throw new MalformedException("(value)", "not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new MalformedException("(value)", "not a JSON object");
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
        address,
        reason,
        code,
        text(n, "enhancedCode", false),
        source,
        time(n, "at", true),
        time(n, "expiresAt", false));
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
