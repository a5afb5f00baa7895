package dev.postbus.feedback.parse;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * ISO-8601 times as providers write them, read without {@link java.time.format.DateTimeFormatter}
 * when they have the one common shape, {@code 2026-12-06T21:41:17[.fraction](Z|+hh:mm)}: the
 * formatter's parse was a tenth of the receiver's CPU per SNS notification. Any other text goes to
 * {@link Instant#parse} or {@link OffsetDateTime#parse}, so the result (or the refusal) is always
 * theirs.
 */
public final class IsoInstants {

  private static final int MAX_OFFSET = 18 * 3600;

  private IsoInstants() {}

  /** What {@link Instant#parse} gives for {@code text}. */
  public static Instant instant(String text) {
    Instant fast = common(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /** What {@code OffsetDateTime.parse(text).toInstant()} gives. */
  public static Instant offsetDateTime(String text) {
    Instant fast = common(text);
    return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
  }

  /** The instant of a text of the common shape, or null for any other text. */
  static Instant common(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23) {
      return null;
    }
    if (minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null; // 23:59:60 too: Instant.parse's leap second is left to it
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 10 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        nanos = nanos * 10 + (s.charAt(i++) - '0');
      }
      if (i == start || i - start > 9) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offset = offset(s, i);
    if (offset == Integer.MIN_VALUE) {
      return null;
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null; // 2025-02-29 and such: the slow path refuses it in its own words
    }
    return Instant.ofEpochSecond(
        epochDay * 86_400 + hour * 3600 + minute * 60 + second - offset, nanos);
  }

  /** The offset in seconds of {@code Z} or {@code ±hh:mm} ending the text at i; else MIN_VALUE. */
  private static int offset(String s, int i) {
    int n = s.length();
    if (i == n - 1 && s.charAt(i) == 'Z') {
      return 0;
    }
    if (i != n - 6 || s.charAt(i + 3) != ':' || (s.charAt(i) != '+' && s.charAt(i) != '-')) {
      return Integer.MIN_VALUE;
    }
    int h = digits(s, i + 1, 2);
    int m = digits(s, i + 4, 2);
    if (h < 0 || m < 0 || m > 59 || h * 3600 + m * 60 > MAX_OFFSET) {
      return Integer.MIN_VALUE;
    }
    return (s.charAt(i) == '-' ? -1 : 1) * (h * 3600 + m * 60);
  }

  /** The number written by {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
