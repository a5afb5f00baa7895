package dev.postbus.job;

import java.util.regex.Pattern;

/**
 * A job's {@code unsubscribe} field: the mailing list its recipient may leave with one click (RFC
 * 8058). Meant for bulk mail; a job that carries it has exactly one recipient ({@link
 * JobValidator}). The worker then adds {@code List-Unsubscribe} and {@code List-Unsubscribe-Post}.
 *
 * @param list the list's name: 1 to {@value #MAX_LIST} characters of a-z 0-9 . _ - (lower case),
 *     starting with a letter or digit; what a suppression scoped to it names
 */
public record Unsubscribe(String list) {

  /** The longest list name. */
  public static final int MAX_LIST = 64;

  private static final Pattern LIST = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /** What {@link #isValidList} accepts, in words (for error messages). */
  public static final String LIST_RULE =
      "must be 1 to " + MAX_LIST + " characters of a-z 0-9 . _ - starting with a letter or digit";

  /** Whether {@code list} is a list name a job or a suppression may carry. */
  public static boolean isValidList(String list) {
    return list != null && LIST.matcher(list).matches();
  }
}
