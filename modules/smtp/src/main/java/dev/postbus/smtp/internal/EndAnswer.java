package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relay's reply to the end of a message (the final "." or BDAT … LAST) with its envelope's
 * replies, as the wire reader read them. Once it arrived it is the outcome: a 2xx the message
 * accepted, a 4xx or 5xx its refusal, never lost or in doubt, whatever error of ours follows.
 *
 * @param replies how the session makes a reply a value for outcomes
 */
record EndAnswer(EnvelopeGroup group, Reply end, Function<Reply, SmtpReply> replies) {

  /** An RFC 3463 enhanced code at the start of a reply's text, and the spaces after it. */
  private static final Pattern ENHANCED =
      Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?:\\s+|$)");

  /** The outcome, as the session builds it (what that throws comes through). */
  SendOutcome outcome() {
    return outcome(replies);
  }

  /**
   * The outcome, as the session builds it, or, if that throws (a bug of ours), from the codes and
   * texts alone. Never throws.
   */
  SendOutcome outcomeAnyway() {
    try {
      return outcome(replies);
    } catch (RuntimeException e) {
      return outcome(EndAnswer::minimal);
    }
  }

  /**
   * The code, the enhanced code when the text starts with one (else null), and the text as one
   * line: nothing that can fail.
   */
  static SmtpReply minimal(Reply r) {
    String text;
    try {
      text = String.join(" ", r.lines());
    } catch (RuntimeException e) {
      text = "";
    }
    String enhanced = null;
    try {
      Matcher m = ENHANCED.matcher(text);
      if (m.find()) {
        String rest = text.substring(m.end());
        enhanced = m.group(1);
        text = rest;
      }
    } catch (RuntimeException e) {
      enhanced = null; // the text as it is
    }
    return new SmtpReply(
        r.code(), enhanced, text.substring(0, Math.min(text.length(), SmtpReply.MAX_TEXT)));
  }

  private SendOutcome outcome(Function<Reply, SmtpReply> convert) {
    SendOutcome refused = group.refusal(convert);
    if (refused != null) {
      return refused;
    }
    int accepted = group.accepted();
    List<SendOutcome.Refusal> refusals = group.refusals(convert);
    if (!end.positive()) {
      return new SendOutcome.Rejected(convert.apply(end), "DATA");
    }
    if (refusals.isEmpty()) {
      return new SendOutcome.Delivered(convert.apply(end));
    }
    return new SendOutcome.RecipientsRefused(refusals, accepted, convert.apply(end));
  }
}
