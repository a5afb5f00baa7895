package dev.postbus.worker.delivery;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.worker.config.Provider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A provider metadata header the job brings itself, with Postbus's job id put in so that ours
 * always wins (a job cannot attribute its bounces to another job): SES tags lose any {@code
 * postbus-job} tag of the job's before ours is appended; SendGrid's and Mailgun's JSON gets our key
 * set (over the job's); a header that is not a JSON object is replaced by ours (the provider could
 * not read it anyway). The merged JSON is printable ASCII: what the job's escapes decode to is
 * escaped again.
 */
final class OwnMetadata {

  /**
   * Writes every character outside printable ASCII as a {@code \\u} escape: the header is written
   * one low byte per character, so a U+010A decoded from the job's own {@code \\u010a} would end
   * the line.
   */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  /**
   * A space after each {@code ,} and {@code :} between values (never in a string), where {@code
   * MimeUtility.fold} can break the header: a job's JSON that fills its line, with our key merged
   * in, is then written in lines of at most 998 characters.
   */
  private static final ObjectWriter SPACED = JSON.writer(new SpacedPrinter());

  private OwnMetadata() {}

  /** The value to send: the job's own {@code own} with {@code ours} (the provider's value) in. */
  static String merge(Provider provider, String own, String jobId, String ours) {
    String unfolded = own.replaceAll("\r?\n", "").strip();
    return switch (provider) {
      case SES -> withoutOurTag(unfolded).isEmpty() ? ours : withoutOurTag(unfolded) + ", " + ours;
      case SENDGRID -> json(unfolded, ours, jobId, "unique_args");
      case MAILGUN -> json(unfolded, ours, jobId, null);
      default -> ours;
    };
  }

  private static String withoutOurTag(String tags) {
    List<String> kept = new ArrayList<>();
    for (String tag : tags.split(",")) {
      String t = tag.strip();
      int eq = t.indexOf('=');
      String name = (eq < 0 ? t : t.substring(0, eq)).strip();
      if (!t.isEmpty() && !name.equalsIgnoreCase(Provider.METADATA_NAME)) {
        kept.add(t);
      }
    }
    return String.join(", ", kept);
  }

  private static String json(String own, String ours, String jobId, String field) {
    try {
      JsonNode root = JSON.readTree(own);
      if (!(root instanceof ObjectNode object)) {
        return ours;
      }
      ObjectNode target = object;
      if (field != null) {
        target = object.get(field) instanceof ObjectNode inner ? inner : object.putObject(field);
      }
      target.put(Provider.METADATA_NAME_UNDERSCORE, jobId);
      // Jackson escapes the controls below 0x20 itself; DEL is the one left (only in a string)
      return SPACED.writeValueAsString(object).replace("\u007f", "\\u007F");
    } catch (JsonProcessingException e) {
      return ours;
    }
  }

  /** {@code {"a": 1, "b": [1, 2]}}: one line, a space after each separator. */
  private static final class SpacedPrinter extends MinimalPrettyPrinter {
    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }
  }
}
