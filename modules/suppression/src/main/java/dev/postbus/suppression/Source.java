package dev.postbus.suppression;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a suppression came from. */
public enum Source {
  /** A worker added it after a permanent refusal with a code of {@code suppression.codes}. */
  BOUNCE,
  /** An operator added it ({@code postbus suppressions add}). */
  OPERATOR,
  /** {@code postbus suppressions import}. */
  IMPORT,
  /**
   * {@code postbus feedback}: a relay reported a permanent bounce or a complaint later (SES,
   * SendGrid, Postmark, Mailgun, the generic endpoint).
   */
  FEEDBACK,
  /**
   * {@code postbus feedback}: the recipient left a list with the one-click unsubscribe link (RFC
   * 8058); scoped to that list. (The fifth source: {@link SuppressionSet} packs three bits.)
   */
  UNSUBSCRIBE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The source with this label, or null. */
  public static Source fromLabel(String label) {
    return Arrays.stream(values())
        .filter(s -> s.label().equals(label.strip().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElse(null);
  }

  public static String labels() {
    return Arrays.stream(values()).map(Source::label).collect(Collectors.joining(", "));
  }
}
