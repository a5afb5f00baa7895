package dev.postbus.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the delivery metadata a record carries in its headers. A malformed header reads as absent.
 */
public final class DeliveryHeaders {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DeliveryHeaders() {}

  /** Attempts already made; 0 for a fresh job (or a replayed one: replay starts a fresh count). */
  public static int attempts(Headers h) {
    String v = text(h, PostbusHeaders.ATTEMPT);
    try {
      return v == null ? 0 : Math.max(0, Integer.parseInt(v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  public static Instant firstFailure(Headers h) {
    return instant(text(h, PostbusHeaders.FIRST_FAILURE));
  }

  public static Instant due(Headers h) {
    return instant(text(h, PostbusHeaders.DUE));
  }

  /** The recipients this record is limited to, or null for all of the job's. */
  public static List<String> recipients(Headers h) {
    Header header = h == null ? null : h.lastHeader(PostbusHeaders.RECIPIENTS);
    if (header == null) {
      return null;
    }
    try {
      return List.of(JSON.readValue(header.value(), String[].class));
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static String text(Headers h, String name) {
    Header header = h == null ? null : h.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static Instant instant(String v) {
    try {
      return v == null ? null : Instant.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
