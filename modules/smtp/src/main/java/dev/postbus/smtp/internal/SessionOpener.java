package dev.postbus.smtp.internal;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TlsMode;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a session up: TCP connect (or implicit TLS), the greeting, EHLO (HELO when EHLO is not
 * understood), STARTTLS and EHLO again, AUTH. Every failure is an {@link OpenFailed} carrying the
 * outcome the caller acts on: {@link SendOutcome.ConnectFailed} when the relay could not be reached
 * or refused the session, {@link SendOutcome.RelayRefused} when it refuses us (TLS, authentication,
 * STARTTLS required and missing).
 */
public final class SessionOpener {

  private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);

  /** The relay's addresses, every one of them (A and AAAA), in the resolver's order. */
  public interface Resolver {
    InetAddress[] addresses(String host) throws UnknownHostException;
  }

  private final SmtpConfig config;
  private final Resolver resolver;
  private final Supplier<Socket> sockets;
  private final Authenticator authenticator;
  private final Consumer<ReplyReader> afterHello;

  public SessionOpener(SmtpConfig config) {
    this(config, InetAddress::getAllByName);
  }

  public SessionOpener(SmtpConfig config, Resolver resolver) {
    this(config, resolver, Socket::new);
  }

  /** With its own unconnected sockets (tests: a socket that fails on cue). */
  public SessionOpener(SmtpConfig config, Resolver resolver, Supplier<Socket> sockets) {
    this(config, resolver, sockets, in -> {});
  }

  /** With a step after each EHLO reply (tests: a reply deadline that passes just then). */
  SessionOpener(
      SmtpConfig config,
      Resolver resolver,
      Supplier<Socket> sockets,
      Consumer<ReplyReader> afterHello) {
    this.config = config;
    this.resolver = resolver;
    this.sockets = sockets;
    this.authenticator = new Authenticator(config);
    this.afterHello = afterHello;
  }

  public SmtpSession open() throws OpenFailed {
    Socket plain = connect();
    try {
      return open(plain);
    } catch (OpenFailed e) {
      close(plain);
      throw e;
    } catch (SSLException e) {
      close(plain);
      if (cutByNetwork(e)) {
        throw new OpenFailed(
            new SendOutcome.ConnectFailed("TLS handshake cut: " + Problems.describe(e)));
      }
      throw new OpenFailed(
          new SendOutcome.RelayRefused("TLS failed: " + Problems.describe(e), null));
    } catch (IOException e) {
      close(plain);
      throw new OpenFailed(
          new SendOutcome.ConnectFailed("connect failed: " + Problems.describe(e)));
    } catch (RuntimeException | Error e) {
      close(plain); // not left open behind an error of ours
      throw e;
    }
  }

  /** Tries each address of the relay's name in turn; fails when none answers. */
  private Socket connect() throws OpenFailed {
    InetAddress[] addresses;
    try {
      addresses = resolver.addresses(config.host());
    } catch (IOException e) {
      throw new OpenFailed(
          new SendOutcome.ConnectFailed("connect failed: " + Problems.describe(e)));
    }
    IOException last = new UnknownHostException("no address");
    for (InetAddress address : addresses) {
      Socket plain = sockets.get();
      try {
        plain.setTcpNoDelay(true);
        plain.connect(
            new InetSocketAddress(address, config.port()),
            (int) config.connectTimeout().toMillis());
        return plain;
      } catch (IOException e) {
        close(plain);
        last = e;
      } catch (RuntimeException | Error e) {
        close(plain); // not left open behind an error of ours
        throw e;
      }
    }
    throw new OpenFailed(
        new SendOutcome.ConnectFailed(
            "connect failed"
                + (addresses.length > 1 ? " (all " + addresses.length + " addresses)" : "")
                + ": "
                + Problems.describe(last)));
  }

  /**
   * A handshake cut by the network (end of stream, reset, timeout) is a failed connection; any
   * other TLS failure (certificate, protocol, no common cipher) is the relay refusing us.
   */
  private static boolean cutByNetwork(SSLException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EOFException || t instanceof SocketException) {
        return true;
      }
      if (t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The session over {@code plain}; if it fails, the TLS reader's deadline leaves the watchdog (the
   * caller closes the socket).
   */
  private SmtpSession open(Socket plain) throws IOException, OpenFailed {
    Readers readers = new Readers();
    try {
      return open(plain, readers);
    } catch (IOException | OpenFailed | RuntimeException | Error e) {
      readers.close();
      throw e;
    }
  }

  /** The TLS session's reply reader, if one was made: the one to close when opening fails. */
  private static final class Readers {
    private ReplyReader tls;

    ReplyReader make(Socket socket, Socket plain, int readTimeout) throws IOException {
      ReplyReader in = new ReplyReader(socket, plain, readTimeout);
      if (socket != plain) {
        tls = in;
      }
      return in;
    }

    void close() {
      if (tls != null) {
        tls.close();
      }
    }
  }

  private SmtpSession open(Socket plain, Readers readers) throws IOException, OpenFailed {
    int readTimeout = (int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis());
    plain.setSoTimeout(readTimeout);
    Socket socket = config.tls() == TlsMode.IMPLICIT ? Tls.wrap(plain, config) : plain;
    ReplyReader in = readers.make(socket, plain, readTimeout);
    Reply greeting = in.read();
    if (greeting.code() != 220) {
      throw refusedSession(greeting);
    }
    Extensions ext = hello(socket, in);
    String noTls = "smtp.tls=none";
    if (config.tls() == TlsMode.STARTTLS || config.tls() == TlsMode.STARTTLS_REQUIRED) {
      noTls = "the relay does not offer STARTTLS";
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
          in = readers.make(socket, plain, readTimeout);
          ext = hello(socket, in); // everything learnt before TLS is forgotten
        } else if (config.tls() == TlsMode.STARTTLS_REQUIRED) {
          throw new OpenFailed(
              new SendOutcome.RelayRefused(
                  "STARTTLS is required and the server refused it (" + r.codes() + ")",
                  r.toSmtpReply()));
        } else {
          noTls = "the relay refused STARTTLS (" + r.codes() + ")";
        }
      } else if (config.tls() == TlsMode.STARTTLS_REQUIRED) {
        throw new OpenFailed(
            new SendOutcome.RelayRefused(
                "STARTTLS is required but the server does not offer it", null));
      }
    }
    if (config.authenticated()) {
      guardPlaintext(socket != plain, noTls);
      authenticator.authenticate(socket, in, ext);
    }
    if (in.cut()) {
      // The last reply (EHLO's, AUTH's) stood, but its deadline closed the TCP socket as it came.
      throw new OpenFailed(
          new SendOutcome.ConnectFailed(
              "a reply did not arrive whole within " + readTimeout + " ms (TLS session cut)"));
    }
    return new SmtpSession(new SessionIo(plain, socket, in, config), ext, config);
  }

  /**
   * Credentials never go over an unencrypted session (Postfix's smtp_sasl_security_options =
   * noplaintext), unless smtp.auth-over-plaintext=allow says so, loudly.
   */
  private void guardPlaintext(boolean encrypted, String why) throws OpenFailed {
    if (encrypted) {
      return;
    }
    if (!config.authOverPlaintext()) {
      throw new OpenFailed(
          new SendOutcome.RelayRefused(
              "credentials are not sent over an unencrypted session: "
                  + why
                  + " (a path attacker may have stripped it); delivery waits until TLS is back"
                  + " (smtp.tls=starttls-required makes this explicit)",
              null));
    }
    log.warn(
        "{}:{}: sending credentials in clear text, as smtp.auth-over-plaintext=allow says ({})",
        config.host(),
        config.port(),
        why);
  }

  private Extensions hello(Socket socket, ReplyReader in) throws IOException, OpenFailed {
    write(socket, "EHLO " + LocalName.get(config.heloName()));
    Reply r = in.read();
    afterHello.accept(in);
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

  private static OpenFailed refusedSession(Reply r) {
    return new OpenFailed(
        new SendOutcome.ConnectFailed("server refused the session: " + r.codes()));
  }

  /**
   * Sends one command line. A line holding a control character or a character outside ASCII is
   * refused unsent (it could be two commands, or reach the relay as raw UTF-8); the error never
   * quotes it (it may be a credential).
   */
  static void write(Socket socket, String line) throws IOException {
    if (!line.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new IOException(
          "a command line holds a control character or a character outside ASCII; not sent");
    }
    OutputStream out = socket.getOutputStream();
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
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
