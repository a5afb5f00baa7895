package dev.postbus.feedback.config;

import dev.postbus.durations.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads one setting's text as its type; every error names the key, what is allowed and what came.
 */
final class Values {

  private Values() {}

  static Duration duration(FeedbackKey key, String text, Duration min, Duration max) {
    Duration d = Durations.parse(text, key.name());
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw bad(key, key.allowed(), text);
    }
    return d;
  }

  static int integer(FeedbackKey key, String text, int min, int max) {
    try {
      int v = Integer.parseInt(text.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw bad(key, min + " to " + max, text);
  }

  static boolean bool(FeedbackKey key, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    throw bad(key, "true or false", text);
  }

  /** The stripped contents of a secret's file; the error never shows the contents. */
  static String secretFile(FeedbackKey key, Path file, int minLength) {
    String s;
    try {
      s = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          key.name() + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (s.length() < Math.max(1, minLength)) {
      throw new IllegalArgumentException(
          key.name()
              + ": "
              + file
              + (s.isEmpty() ? " is empty" : " holds fewer than " + minLength + " characters"));
    }
    return s;
  }

  static IllegalArgumentException bad(FeedbackKey key, String allowed, String given) {
    return new IllegalArgumentException(
        key.name() + ": expected " + allowed + "; got '" + given + "'");
  }
}
