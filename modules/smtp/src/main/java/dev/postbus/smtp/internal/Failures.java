package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/** Translates what Angus Mail throws into a {@link SendOutcome}. Problems never carry addresses. */
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
    if (String.valueOf(e.getMessage()).contains("STARTTLS is required")) {
      return new SendOutcome.RelayRefused("STARTTLS is required but the server does not offer it", null);
    }
    int code = transport.getLastReturnCode();
    if (code >= 400) {
      // A refusal in the greeting or EHLO (e.g. 421 too many connections).
      return new SendOutcome.ConnectFailed("server refused the session: "
          + SmtpReply.parse(code, transport.getLastServerResponse()).codes());
    }
    return new SendOutcome.ConnectFailed("connect failed: " + rootMessage(e));
  }

  /**
   * A failure during MAIL, RCPT, DATA or the final dot. With partial sending on, refused recipients arrive
   * as address failures chained to the exception, beside the addresses the message was sent to.
   */
  public static SendOutcome onSend(MessagingException e, TrackingTransport transport) {
    List<SendOutcome.Refusal> refusals = addressFailures(e);
    if (!refusals.isEmpty()) {
      Address[] sent = e instanceof SendFailedException f ? f.getValidSentAddresses() : null;
      boolean dataAccepted = sent != null && sent.length > 0 && transport.terminatorSent()
          && transport.getLastReturnCode() / 100 == 2;
      SmtpReply dataReply = dataAccepted
          ? SmtpReply.parse(transport.getLastReturnCode(), transport.getLastServerResponse()) : null;
      return new SendOutcome.RecipientsRefused(refusals, dataAccepted ? sent.length : 0, dataReply);
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
    return new SendOutcome.ConnectionLost("connection lost before the end of data: " + rootMessage(e));
  }

  private static List<SendOutcome.Refusal> addressFailures(MessagingException e) {
    List<SendOutcome.Refusal> out = new ArrayList<>();
    Exception next = e;
    for (int depth = 0; next != null && depth < 10_000; depth++) {
      if (next instanceof SMTPAddressFailedException a && a.getReturnCode() >= 400) {
        out.add(new SendOutcome.Refusal(a.getAddress().getAddress(), SmtpReply.parse(a.getReturnCode(), a.getMessage())));
      }
      next = next instanceof MessagingException m ? m.getNextException() : null;
    }
    return out;
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
      if (c instanceof MessagingException m && m.getNextException() != null && type.isInstance(m.getNextException())) {
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
