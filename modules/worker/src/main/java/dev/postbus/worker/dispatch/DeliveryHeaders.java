package dev.postbus.worker.dispatch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postbus.job.JobClass;
import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Reads the delivery metadata a record carries in its headers. A malformed header reads as absent,
 * but for {@code postbus.recipients}: read as absent it would send to all of the job's recipients.
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

  /**
   * The class a retry record was scheduled in: bulk when its header says so, else transactional.
   */
  public static JobClass jobClass(Headers h) {
    return JobClass.BULK.wire().equals(text(h, PostbusHeaders.JOB_CLASS))
        ? JobClass.BULK
        : JobClass.TRANSACTIONAL;
  }

  public static Instant due(Headers h) {
    return instant(text(h, PostbusHeaders.DUE));
  }

  /**
   * The recipients this record is limited to, or null for all of the job's.
   *
   * @throws MalformedHeader when the header is not a JSON array of strings
   */
  public static List<String> recipients(Headers h) throws MalformedHeader {
    Header header = h == null ? null : h.lastHeader(PostbusHeaders.RECIPIENTS);
    if (header == null) {
      return null;
    }
    String[] names;
    try {
      names = header.value() == null ? null : JSON.readValue(header.value(), String[].class);
    } catch (java.io.IOException | RuntimeException e) {
      names = null;
    }
    if (names == null || java.util.Arrays.asList(names).contains(null)) {
      throw new MalformedHeader(PostbusHeaders.RECIPIENTS, "not a JSON array of addresses");
    }
    return List.of(names);
  }

  /** A header that cannot be read; the message names it, never its value (addresses). */
  public static final class MalformedHeader extends Exception {
    MalformedHeader(String header, String why) {
      super(header + ": " + why);
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
