package dev.postbus.job;

import java.util.Objects;

/**
 * A file carried by a job. {@code content} is base64 (standard alphabet, padded); {@code
 * contentId}, when present, makes the part inline (referenced from HTML as {@code
 * cid:<contentId>}).
 */
public record Attachment(String filename, String contentType, String content, String contentId) {

  public Attachment {
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(content, "content");
  }

  @Override
  public String toString() {
    return "Attachment["
        + filename
        + ", "
        + contentType
        + ", "
        + content.length()
        + " base64 chars]";
  }
}
