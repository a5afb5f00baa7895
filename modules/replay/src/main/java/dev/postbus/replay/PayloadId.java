package dev.postbus.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * A job payload's {@code id}, read without parsing the job: the top-level fields are walked until
 * {@code id}, skipping the values before it (a list reads many dead letters; the body is not read
 * when {@code id} comes first, as the Java client writes it).
 */
final class PayloadId {

  private static final JsonFactory JSON = new JsonFactory();

  private PayloadId() {}

  /** The {@code id} text, or null: no payload, not a JSON object, no {@code id} text, blank. */
  static String of(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return null;
    }
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("id".equals(name)) {
          return value == JsonToken.VALUE_STRING && !p.getText().isBlank() ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException notJson) {
      return null;
    }
  }
}
