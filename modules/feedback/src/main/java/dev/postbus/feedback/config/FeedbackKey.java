package dev.postbus.feedback.config;

import java.util.Locale;

/**
 * One key of the receiver, declared once with its meaning and default; the reference in
 * docs/feedback.md is generated from these declarations ({@link FeedbackReference}).
 *
 * @param defaultText the default as shown, or null for none
 */
public record FeedbackKey(
    String name, String unit, String defaultText, boolean secret, String allowed, String doc) {

  /** {@code feedback.max-body} → {@code POSTBUS_FEEDBACK_MAX_BODY}. */
  public String env() {
    return "POSTBUS_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
