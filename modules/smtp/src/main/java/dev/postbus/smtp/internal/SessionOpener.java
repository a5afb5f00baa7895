package dev.postbus.smtp.internal;

import dev.postbus.smtp.AuthMechanism;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.net.ssl.SSLException;

/**
 * Sets a session up: TCP connect (or implicit TLS), the greeting, EHLO (HELO when EHLO is not
 * understood), STARTTLS and EHLO again, AUTH. Every failure is an {@link OpenFailed} carrying the
 * outcome the caller acts on: {@link SendOutcome.ConnectFailed} when the relay could not be reached
 * or refused the session, {@link SendOutcome.RelayRefused} when it refuses us (TLS, authentication,
 * STARTTLS required and missing).
 */
public final class SessionOpener {

  private final SmtpConfig config;

  public SessionOpener(SmtpConfig config) {
    this.config = config;
  }

  public SmtpSession open() throws OpenFailed {
    Socket socket = new Socket();
    try {
      return open(socket);
    } catch (OpenFailed e) {
      close(socket);
      throw e;
    } catch (SSLException e) {
      close(socket);
      throw new OpenFailed(
          new SendOutcome.RelayRefused("TLS failed: " + Problems.describe(e), null));
    } catch (IOException e) {
      close(socket);
      throw new OpenFailed(
          new SendOutcome.ConnectFailed("connect failed: " + Problems.describe(e)));
    }
  }

  private SmtpSession open(Socket plain) throws IOException, OpenFailed {
    plain.setTcpNoDelay(true);
    plain.connect(
        new InetSocketAddress(config.host(), config.port()),
        (int) config.connectTimeout().toMillis());
    plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis()));
    Socket socket = config.tls() == TlsMode.IMPLICIT ? Tls.wrap(plain, config) : plain;
    ReplyReader in = new ReplyReader(socket.getInputStream());
    Reply greeting = in.read();
    if (greeting.code() != 220) {
      throw refusedSession(greeting);
    }
    Extensions ext = hello(socket, in);
    if (config.tls() == TlsMode.STARTTLS || config.tls() == TlsMode.STARTTLS_REQUIRED) {
      if (ext.startTls()) {
        write(socket, "STARTTLS");
        Reply r = in.read();
        if (r.code() == 220) {
          if (in.buffered() > 0) {
            // Commands injected before the handshake would be taken as sent over TLS
            // (CVE-2011-0411's mirror).
            throw new OpenFailed(
                new SendOutcome.RelayRefused(
                    "TLS failed: the server sent "
                        + in.buffered()
                        + " bytes after its STARTTLS reply, before the handshake",
                    null));
          }
          socket = Tls.wrap(socket, config);
          in = new ReplyReader(socket.getInputStream());
          ext = hello(socket, in); // everything learnt before TLS is forgotten
        } else if (config.tls() == TlsMode.STARTTLS_REQUIRED) {
          throw new OpenFailed(
              new SendOutcome.RelayRefused(
                  "STARTTLS is required and the server refused it (" + r.codes() + ")",
                  r.toSmtpReply()));
        }
      } else if (config.tls() == TlsMode.STARTTLS_REQUIRED) {
        throw new OpenFailed(
            new SendOutcome.RelayRefused(
                "STARTTLS is required but the server does not offer it", null));
      }
    }
    if (config.authenticated()) {
      authenticate(socket, in, ext);
    }
    return new SmtpSession(new SessionIo(plain, socket, in, config), ext, config);
  }

  private Extensions hello(Socket socket, ReplyReader in) throws IOException, OpenFailed {
    write(socket, "EHLO " + LocalName.get(config.heloName()));
    Reply r = in.read();
    if (r.positive()) {
      return Extensions.parse(r.lines());
    }
    if (r.code() == 500 || r.code() == 502) { // EHLO not understood: an RFC 821 server
      write(socket, "HELO " + LocalName.get(config.heloName()));
      r = in.read();
      if (r.positive()) {
        return Extensions.NONE;
      }
    }
    throw refusedSession(r);
  }

  private void authenticate(Socket socket, ReplyReader in, Extensions ext)
      throws IOException, OpenFailed {
    String secret;
    try {
      secret = config.password().reveal();
    } catch (UncheckedIOException e) {
      // The password or token file is unreadable (a secret being rotated): the relay cannot be used
      // until it is back.
      throw new OpenFailed(new SendOutcome.RelayRefused(e.getMessage(), null));
    }
    String user = config.username();
    Reply r;
    if (config.authMechanism() == AuthMechanism.XOAUTH2) {
      requireOffered(ext, "XOAUTH2");
      write(
          socket,
          "AUTH XOAUTH2 "
              + base64("user=" + user + "\u0001auth=Bearer " + secret + "\u0001\u0001"));
      r = in.read();
      if (r.code() == 334) { // an error challenge (JSON); an empty line asks for the final reply
        write(socket, "");
        r = in.read();
      }
    } else if (ext.authMechanisms().contains("PLAIN")) {
      write(socket, "AUTH PLAIN " + base64("\u0000" + user + "\u0000" + secret));
      r = in.read();
    } else {
      requireOffered(ext, "LOGIN");
      write(socket, "AUTH LOGIN");
      r = in.read();
      if (r.code() == 334) {
        write(socket, base64(user));
        r = in.read();
        if (r.code() == 334) {
          write(socket, base64(secret));
          r = in.read();
        }
      }
    }
    if (r.code() != 235) {
      throw new OpenFailed(new SendOutcome.RelayRefused("authentication failed", r.toSmtpReply()));
    }
  }

  private void requireOffered(Extensions ext, String mechanism) throws OpenFailed {
    if (!ext.authMechanisms().contains(mechanism)) {
      throw new OpenFailed(
          new SendOutcome.RelayRefused(
              "authentication failed: the relay does not offer AUTH "
                  + (config.authMechanism() == AuthMechanism.XOAUTH2 ? "XOAUTH2" : "PLAIN or LOGIN")
                  + " (it offers: "
                  + (ext.authMechanisms().isEmpty()
                      ? "none"
                      : String.join(" ", ext.authMechanisms()))
                  + ")",
              null));
    }
  }

  private static OpenFailed refusedSession(Reply r) {
    return new OpenFailed(
        new SendOutcome.ConnectFailed("server refused the session: " + r.codes()));
  }

  private static void write(Socket socket, String line) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing more to do
    }
  }

  /** Setting the session up failed; {@link #outcome()} says how. */
  public static final class OpenFailed extends Exception {
    private final transient SendOutcome outcome;

    OpenFailed(SendOutcome outcome) {
      super(outcome.toString(), null, false, false);
      this.outcome = outcome;
    }

    public SendOutcome outcome() {
      return outcome;
    }
  }
}
