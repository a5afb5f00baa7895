package dev.postbus.replay;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which dead letters an operator means. Every given criterion must match; the selection says
 * whether all dead letters or only some ids or positions are meant (never implied by an empty set).
 *
 * @param since failed at or after; null when not given
 * @param until failed before; null when not given
 * @param classes failure classes; empty when not given (any class)
 * @param codePattern a reply code ({@code 550}), an enhanced code ({@code 5.1.1}) or a pattern with
 *     {@code *} ({@code 4.7.*}, {@code 55*}); matched against both codes
 */
public record DeadLetterFilter(
    TimeBound since,
    TimeBound until,
    Set<String> classes,
    String codePattern,
    String domain,
    Selection selection) {

  private static final Pattern CODE = Pattern.compile("[0-9*.]{1,16}");

  /** The failure classes a dead letter can have (its {@code postbus.dlt.class} header). */
  public static final List<String> CLASSES =
      List.of("permanent", "transient", "poison", "expired", "suppressed", "conflict");

  public DeadLetterFilter {
    classes = classes == null ? Set.of() : known(classes);
    Objects.requireNonNull(selection, "selection (Selection.ALL for every dead letter)");
    codePattern = codePattern(codePattern, "--code");
    if (since != null && until != null && !until.at().isAfter(since.at())) {
      throw new IllegalArgumentException("--until must be after --since");
    }
  }

  /**
   * {@code text} as a code pattern: null for null, else a reply code ({@code 550}), an enhanced
   * code ({@code 5.1.1}) or a pattern with {@code *}; anything else refused naming {@code field},
   * the option or form field it was typed in ({@code --code}, {@code code}).
   */
  public static String codePattern(String text, String field) {
    if (text != null && !CODE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          field + ": must look like 550, 5.1.1 or 4.7.*, got '" + text + "'");
    }
    return text;
  }

  /** The classes trimmed and in lower case; an unknown one refused, naming the known ones. */
  private static Set<String> known(Set<String> classes) {
    Set<String> out = new TreeSet<>();
    for (String c : classes) {
      String name = c == null ? "" : c.strip().toLowerCase(Locale.ROOT);
      if (!CLASSES.contains(name)) {
        throw new IllegalArgumentException(
            "--class: must be one of "
                + String.join(", ", CLASSES)
                + " (comma-separated); got '"
                + c
                + "'");
      }
      out.add(name);
    }
    return Set.copyOf(out);
  }

  public static final DeadLetterFilter ALL =
      new DeadLetterFilter(null, null, null, null, null, Selection.ALL);

  /** Only this selection, with no other criterion. */
  public static DeadLetterFilter of(Selection selection) {
    return new DeadLetterFilter(null, null, null, null, null, selection);
  }

  public boolean matches(DeadLetter d) {
    if (since != null && d.time().isBefore(since.at())) {
      return false;
    }
    if (tooRecent(d)) {
      return false;
    }
    if (!classes.isEmpty() && !classes.contains(d.failureClass())) {
      return false;
    }
    if (codePattern != null && !(codeMatches(d.code()) || codeMatches(d.enhancedCode()))) {
      return false;
    }
    if (domain != null
        && d.recipientDomains().stream().noneMatch(x -> x.equalsIgnoreCase(domain))) {
      return false;
    }
    return selection.matches(d);
  }

  /**
   * True when the dead letter failed at or after {@code until}: not yet in the range, though it may
   * be for a later run of the same replay (an {@code until} given as an age moves).
   */
  public boolean tooRecent(DeadLetter d) {
    return until != null && !d.time().isBefore(until.at());
  }

  private boolean codeMatches(String code) {
    if (code == null || code.isEmpty()) {
      return false;
    }
    String regex = Pattern.quote(codePattern).replace("*", "\\E.*\\Q");
    return code.matches(regex);
  }

  /**
   * A stable text of the criteria as given: the same replay gives the same text, so its group
   * remembers how far it got and it never republishes a dead letter twice. An age is kept as the
   * age ({@code since=age PT24H}), not the instant it resolved to, so {@code --since 1d} run again
   * later is the same replay.
   */
  public String canonical() {
    return "since="
        + (since == null ? null : since.key())
        + ";until="
        + (until == null ? null : until.key())
        + ";classes="
        + new TreeSet<>(classes)
        + ";code="
        + codePattern
        + ";domain="
        + (domain == null ? null : domain.toLowerCase(Locale.ROOT))
        + ";"
        + selection.key();
  }
}
