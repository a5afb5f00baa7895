package dev.postbus.replay;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which dead letters an operator means. Every given criterion must match; an empty filter matches
 * all.
 *
 * @param codePattern a reply code ({@code 550}), an enhanced code ({@code 5.1.1}) or a pattern with
 *     {@code *} ({@code 4.7.*}, {@code 55*}); matched against both codes
 */
public record DeadLetterFilter(
    Instant since,
    Instant until,
    Set<String> classes,
    String codePattern,
    String domain,
    Set<String> ids) {

  private static final Pattern CODE = Pattern.compile("[0-9*.]{1,16}");

  public DeadLetterFilter {
    classes = classes == null ? Set.of() : Set.copyOf(classes);
    ids = ids == null ? Set.of() : Set.copyOf(ids);
    if (codePattern != null && !CODE.matcher(codePattern).matches()) {
      throw new IllegalArgumentException(
          "--code must look like 550, 5.1.1 or 4.7.*, got '" + codePattern + "'");
    }
    if (since != null && until != null && !until.isAfter(since)) {
      throw new IllegalArgumentException("--until must be after --since");
    }
  }

  public static final DeadLetterFilter ALL =
      new DeadLetterFilter(null, null, null, null, null, null);

  public boolean matches(DeadLetter d) {
    if (since != null && d.time().isBefore(since)) {
      return false;
    }
    if (until != null && !d.time().isBefore(until)) {
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
    return ids.isEmpty() || ids.contains(d.jobId());
  }

  private boolean codeMatches(String code) {
    if (code == null || code.isEmpty()) {
      return false;
    }
    String regex = Pattern.quote(codePattern).replace("*", "\\E.*\\Q");
    return code.matches(regex);
  }

  /**
   * A stable text of the criteria: the same filter gives the same replay group, so it never replays
   * twice.
   */
  public String canonical() {
    return "since="
        + since
        + ";until="
        + until
        + ";classes="
        + new TreeSet<>(classes)
        + ";code="
        + codePattern
        + ";domain="
        + (domain == null ? null : domain.toLowerCase(Locale.ROOT))
        + ";ids="
        + new TreeSet<>(ids);
  }
}
