package dev.postbus.smtp.internal;

import dev.postbus.smtp.SmtpReply;
import java.util.List;

/** One server reply as read from the wire: its code and its lines (code and separator removed). */
public record Reply(int code, List<String> lines) {

  public boolean positive() {
    return code >= 200 && code < 300;
  }

  public boolean intermediate() {
    return code >= 300 && code < 400;
  }

  /** The reply as a value for outcomes: code, enhanced code and text (text is never for logs). */
  public SmtpReply toSmtpReply() {
    return SmtpReply.parse(code, String.join(" ", lines));
  }

  /** "421" or "550 5.1.1": safe for logs. */
  public String codes() {
    return toSmtpReply().codes();
  }
}
