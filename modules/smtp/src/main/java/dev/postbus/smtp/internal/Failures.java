package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** Translates what Angus Mail throws into a {@link SendOutcome}. Messages never carry addresses. */
public final class Failures {

  private Failures() {}

  /** A failure while connecting (greeting, EHLO, STARTTLS, AUTH). */
  public static SendOutcome onConnect(MessagingException e, TrackingTransport transport) {
    if (e instanceof AuthenticationFailedException) {
      int code = transport.getLastReturnCode();
      return new SendOutcome.RelayRefused("authentication failed",
          code > 0 ? SmtpReply.parse(code, transport.getLastServerResponse()) : null);
    }
    if (causedBy(e, SSLException.class)) {
      return new SendOutcome.RelayRefused("TLS failed: " + rootMessage(e), null);
    }
    String text = String.valueOf(e.getMessage());
    if (text.contains("STARTTLS is required")) {
      return new SendOutcome.RelayRefused("STARTTLS is required but the server does not offer it", null);
    }
    int code = transport.getLastReturnCode();
    if (code >= 400) {
      // A refusal in the greeting or EHLO (e.g. 421 too many connections): a connection-level failure.
      return new SendOutcome.ConnectionFailed("server refused the session: "
          + SmtpReply.parse(code, transport.getLastServerResponse()).codes());
    }
    return new SendOutcome.ConnectionFailed("connect failed: " + rootMessage(e));
  }

  /** A failure during MAIL, RCPT, DATA or the final dot. */
  public static SendOutcome onSend(MessagingException e, TrackingTransport transport) {
    SMTPAddressFailedException rcpt = firstAddressFailure(e);
    if (rcpt != null) {
      return new SendOutcome.Rejected(SmtpReply.parse(rcpt.getReturnCode(), rcpt.getMessage()), "RCPT");
    }
    if (e instanceof SMTPSendFailedException s && s.getReturnCode() >= 400) {
      return new SendOutcome.Rejected(SmtpReply.parse(s.getReturnCode(), s.getMessage()), verb(s.getCommand()));
    }
    if (transport.terminatorSent() && transport.getLastReturnCode() >= 400 && !causedBy(e, java.io.IOException.class)) {
      return new SendOutcome.Rejected(SmtpReply.parse(transport.getLastReturnCode(),
          transport.getLastServerResponse()), "DATA");
    }
    if (transport.terminatorSent()) {
      return new SendOutcome.InDoubt("connection lost after the end of data: " + rootMessage(e));
    }
    return new SendOutcome.ConnectionFailed("connection lost before the end of data: " + rootMessage(e));
  }

  private static SMTPAddressFailedException firstAddressFailure(MessagingException e) {
    Exception next = e;
    for (int depth = 0; next != null && depth < 16; depth++) {
      if (next instanceof SMTPAddressFailedException a) {
        return a;
      }
      next = next instanceof MessagingException m ? m.getNextException() : null;
    }
    return null;
  }

  /** "MAIL FROM:<...>" -> "MAIL", "RCPT TO:<...>" -> "RCPT", "DATA" and "." -> "DATA". */
  private static String verb(String command) {
    if (command == null || command.isBlank() || command.strip().equals(".")) {
      return "DATA";
    }
    return command.strip().split("[ :]", 2)[0].toUpperCase(java.util.Locale.ROOT);
  }

  static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
      if (c instanceof MessagingException m && m.getNextException() != null && m.getNextException() != c.getCause()
          && type.isInstance(m.getNextException())) {
        return true;
      }
    }
    return false;
  }

  /** The innermost exception's class and message: no addresses (Angus puts those only in address exceptions). */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : " (" + msg.strip() + ")");
  }
}
