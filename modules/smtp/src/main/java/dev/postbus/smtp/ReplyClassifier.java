package dev.postbus.smtp;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what an SMTP outcome means. It reads reply codes and RFC 3463 enhanced
 * status codes, never the reply text, except for an optional "try again in N seconds/minutes" hint.
 * Operators can override the class of a code: keys are a basic code ({@code 550}), an enhanced code
 * ({@code 5.7.1}) or an enhanced pattern ({@code 4.7.*}); the most specific match wins.
 */
public final class ReplyClassifier {

  private static final Set<Integer> AUTHENTICATION_CODES = Set.of(530, 534, 535, 538);
  private static final Pattern RETRY_HINT =
      Pattern.compile(
          "(?:try|retry)(?:\\s+again)?\\s+(?:in|after)\\s+(\\d{1,6})\\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern OVERRIDE_KEY =
      Pattern.compile("[245]\\d\\d|[245]\\.(\\d{1,3}|\\*)\\.(\\d{1,3}|\\*)");

  private final Map<String, OutcomeClass> overrides;

  public ReplyClassifier(Map<String, OutcomeClass> overrides) {
    for (String key : overrides.keySet()) {
      if (!OVERRIDE_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "smtp.class-overrides: '"
                + key
                + "' is not a reply code (550), an "
                + "enhanced code (5.7.1) or a pattern (4.7.*)");
      }
    }
    this.overrides = Map.copyOf(overrides);
  }

  public static ReplyClassifier defaults() {
    return new ReplyClassifier(Map.of());
  }

  public Verdict classify(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.Delivered) {
      return Verdict.of(OutcomeClass.DELIVERED);
    }
    if (outcome instanceof SendOutcome.Rejected r) {
      return classify(r.reply());
    }
    if (outcome instanceof SendOutcome.RecipientsRefused r) {
      // The job's class as a whole: delivered to some, or decided per recipient by the caller.
      return r.dataReply() != null
          ? Verdict.of(OutcomeClass.DELIVERED)
          : classify(r.refused().get(0).reply());
    }
    if (outcome instanceof SendOutcome.ConnectFailed) {
      return new Verdict(OutcomeClass.TRANSIENT, true, true, false, false, null);
    }
    if (outcome instanceof SendOutcome.ConnectionLost) {
      return new Verdict(OutcomeClass.TRANSIENT, true, false, false, false, null);
    }
    if (outcome instanceof SendOutcome.InDoubt) {
      return new Verdict(OutcomeClass.TRANSIENT, false, false, true, false, null);
    }
    if (outcome instanceof SendOutcome.Unwritable) {
      return Verdict.of(OutcomeClass.PERMANENT); // the message's, not the relay's
    }
    return new Verdict(OutcomeClass.FATAL, false, true, false, false, null);
  }

  public Verdict classify(SmtpReply reply) {
    int code = reply.code();
    OutcomeClass overridden = override(reply);
    Duration hint = retryAfter(reply.text());
    boolean throttle =
        code == 421
            || code == 454
            || (reply.enhancedCode() != null && reply.enhancedCode().startsWith("4.7."));
    if (overridden != null) {
      return new Verdict(
          overridden, false, overridden == OutcomeClass.FATAL, false, throttle, hint);
    }
    if (code >= 200 && code < 300) {
      return Verdict.of(OutcomeClass.DELIVERED);
    }
    if (AUTHENTICATION_CODES.contains(code)) {
      return new Verdict(OutcomeClass.FATAL, false, true, false, false, null);
    }
    if (code == 421) {
      // The server is closing the channel: the message is fine, the connection is not.
      return new Verdict(OutcomeClass.TRANSIENT, true, false, false, true, hint);
    }
    if (code >= 400 && code < 500) {
      return new Verdict(OutcomeClass.TRANSIENT, false, false, false, throttle, hint);
    }
    return new Verdict(OutcomeClass.PERMANENT, false, false, false, false, null);
  }

  private OutcomeClass override(SmtpReply reply) {
    if (overrides.isEmpty()) {
      return null;
    }
    String enhanced = reply.enhancedCode();
    if (enhanced != null) {
      OutcomeClass exact = overrides.get(enhanced);
      if (exact != null) {
        return exact;
      }
      String[] parts = enhanced.split("\\.");
      for (String key : new String[] {parts[0] + "." + parts[1] + ".*", parts[0] + ".*.*"}) {
        if (overrides.containsKey(key)) {
          return overrides.get(key);
        }
      }
    }
    return overrides.get(Integer.toString(reply.code()));
  }

  /** "try again in 30 seconds", "retry after 5 minutes", ... */
  static Duration retryAfter(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = RETRY_HINT.matcher(text);
    if (!m.find()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    if (unit.startsWith("h")) {
      return Duration.ofHours(n);
    }
    if (unit.startsWith("m")) {
      return Duration.ofMinutes(n);
    }
    return Duration.ofSeconds(n);
  }
}
