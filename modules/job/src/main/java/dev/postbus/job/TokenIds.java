package dev.postbus.job;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** What the job's tokens (VERP, one-click unsubscribe) share in writing and reading a job id. */
final class TokenIds {

  private TokenIds() {}

  /** The UUID an id is written as (canonical, lower case), or null. */
  static UUID uuidOf(String jobId) {
    if (jobId.length() != 36) {
      return null;
    }
    try {
      UUID uuid = UUID.fromString(jobId);
      return uuid.toString().equals(jobId) ? uuid : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The text of {@code bytes} when they are well-formed UTF-8, else null. */
  static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
