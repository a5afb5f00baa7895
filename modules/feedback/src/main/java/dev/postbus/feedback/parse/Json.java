package dev.postbus.feedback.parse;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.feedback.model.Refusal;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading provider JSON: one mapper, bounded nesting, fields read with errors naming them. */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  private Json() {}

  public static JsonNode tree(byte[] body, String what) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw Refusal.malformed(what, "empty");
      }
      return n;
    } catch (IOException e) {
      throw Refusal.malformed(what, "not JSON");
    }
  }

  public static JsonNode tree(String text, String what) {
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw Refusal.malformed(what, "empty");
      }
      return n;
    } catch (IOException e) {
      throw Refusal.malformed(what, "not JSON");
    }
  }

  /** The text at a path of field names, or null when any step is missing or not text. */
  public static String text(JsonNode n, String... path) {
    JsonNode v = n;
    for (String p : path) {
      if (v == null) {
        return null;
      }
      v = v.get(p);
    }
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    return v.asText();
  }

  /** The text at a path, refused (400) when missing. */
  public static String required(JsonNode n, String field, String... path) {
    String v = text(n, path);
    if (v == null || v.isBlank()) {
      throw Refusal.malformed(field, "missing");
    }
    return v;
  }

  /** An ISO-8601 time (with offset or Z), or {@code fallback} when absent or unreadable. */
  public static Instant time(String text, Instant fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return IsoInstants.offsetDateTime(text);
    } catch (DateTimeParseException e) {
      try {
        return IsoInstants.instant(text);
      } catch (DateTimeParseException e2) {
        return fallback;
      }
    }
  }

  /** An object's text fields as a map (others skipped); empty when not an object. */
  public static Map<String, String> strings(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n != null && n.isObject()) {
      n.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                  out.put(e.getKey(), e.getValue().asText());
                }
              });
    }
    return out;
  }

  public static String compact(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
