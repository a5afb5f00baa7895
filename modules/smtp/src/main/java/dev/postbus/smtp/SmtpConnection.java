package dev.postbus.smtp;

import dev.postbus.smtp.internal.MailSessions;
import dev.postbus.smtp.internal.SessionOpener;
import dev.postbus.smtp.internal.SmtpSession;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent SMTP connection, owned by one thread at a time. It connects lazily, sends one
 * message at a time, and recycles itself by the hygiene rules of its {@link SmtpConfig}: after a
 * number of messages, at a maximum age, and after an idle period. It never retries: the caller
 * decides from the {@link SendOutcome}.
 *
 * <p>The SMTP exchange is Postbus's own session on a JDK socket ({@link SmtpSession}: PIPELINING
 * and CHUNKING when the relay offers them); Jakarta Mail only writes the message's bytes, once,
 * into a buffer this connection reuses.
 */
public final class SmtpConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  /**
   * Headers Jakarta Mail keeps in the message but that must not be sent (as Angus's transport
   * leaves them out).
   */
  private static final String[] NOT_SENT = {"Bcc", "Content-Length"};

  /** Idle this long, a connection is probed for a hang-up before its next message (1 ms). */
  private static final Duration LONG_IDLE = Duration.ofSeconds(1);

  private final SmtpConfig config;
  private final SessionOpener opener;
  private final Clock clock;
  private final String name;
  private final RelayOffer offer;
  private final MimeBuffer mime = new MimeBuffer();

  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private SmtpSession transport;
  private Instant openedAt;
  private Instant lastUsed;
  private int sentOnThisConnection;
  private volatile long opens; // written by the owning thread only; read by metrics
  private Runnable beforeFinalDot = () -> {};

  public SmtpConnection(SmtpConfig config, Clock clock, String name) {
    this(config, new RelayOffer(config.host() + ":" + config.port()), clock, name);
  }

  /** Connections of one relay share what it offers, so that it is logged once per relay. */
  public SmtpConnection(SmtpConfig config, RelayOffer offer, Clock clock, String name) {
    this(config, offer, clock, name, new SessionOpener(config));
  }

  /** With its own opener (tests: a resolver of their own). */
  SmtpConnection(
      SmtpConfig config, RelayOffer offer, Clock clock, String name, SessionOpener opener) {
    this.config = config;
    this.opener = opener;
    this.offer = offer;
    this.clock = clock;
    this.name = name;
  }

  public static Session sessionFor(SmtpConfig config) {
    return MailSessions.create(config);
  }

  /** Applies Postbus's Jakarta Mail tuning (see {@link MailSessions}) without opening anything. */
  public static void initMail() {
    MailSessions.init();
  }

  public ConnectionState state() {
    return state;
  }

  /**
   * Runs on the sending thread just before the final {@code .} of each message, the point after
   * which the relay may accept it. The worker waits there for the send ledger to hold the previous
   * message, so that at most one message per connection is ever accepted without being recorded.
   */
  public void beforeFinalDot(Runnable gate) {
    this.beforeFinalDot = java.util.Objects.requireNonNull(gate);
  }

  /** Whether the next message's envelope was written ahead: only that message may go next. */
  public boolean hasAhead() {
    return state == ConnectionState.IDLE && transport != null && transport.hasAhead();
  }

  /** How many times a connection has been opened (for metrics and tests). */
  public long opens() {
    return opens;
  }

  /** Sends one message to these envelope recipients, connecting or recycling first if needed. */
  public SendOutcome send(MimeMessage message, Address[] recipients) {
    return send(message, recipients, null);
  }

  /**
   * Sends one message; {@code next}, when not null, is the envelope of the message this connection
   * will send next (the caller already holds it). With pipelined DATA it rides in the same write as
   * this message's end, so the next message costs one round trip. Sending anything else next costs
   * a new connection.
   *
   * <p>An unexpected error of ours while sending is an outcome too: {@link
   * SendOutcome.ConnectionLost} while the final {@code .} was not written, {@link
   * SendOutcome.InDoubt} once it was, and the relay's answer once it answered the end. Only what
   * the {@link #beforeFinalDot} gate throws, and Errors, come through as exceptions. Either way the
   * connection is disconnected after it. One while the message is written into memory, before
   * anything of it is sent, makes it unwritable ({@link SendOutcome.Unwritable}: permanent, and not
   * the relay's refusal), the connection kept.
   */
  public SendOutcome send(MimeMessage message, Address[] recipients, Envelope next) {
    requireNotClosed();
    String from;
    try {
      from = envelopeSender(message);
    } catch (MessagingException e) {
      return unwritable(e);
    }
    String[] to = addresses(recipients);
    if (state == ConnectionState.IDLE && transport.hasAhead() && !transport.aheadIs(from, to)) {
      log.debug("{}: the next envelope written ahead is not this message's; reconnecting", name);
      drop();
    }
    recycleIfDue();
    if (state == ConnectionState.IDLE
        && (!transport.usable() || transport.spokeWhileIdle(idleFor(LONG_IDLE)))) {
      log.debug("{}: broken, or the relay spoke while it was idle (a 421?); reconnecting", name);
      drop();
    }
    if (state == ConnectionState.DISCONNECTED) {
      SendOutcome failure = open();
      if (failure != null) {
        return failure;
      }
    }
    move(ConnectionState.SENDING);
    SendOutcome unwritten = writeIntoMemory(message);
    if (unwritten != null) {
      return unwritten;
    }
    SendOutcome outcome;
    try {
      boolean ahead = next != null && sentOnThisConnection + 1 < config.maxMessagesPerConnection();
      outcome =
          transport.send(
              from,
              to,
              mime.array(),
              mime.size(),
              beforeFinalDot,
              ahead ? next.from() : null,
              ahead ? next.recipients() : null);
    } catch (RuntimeException | Error e) {
      // The session ends an error of ours as lost or in doubt itself; what comes through is the
      // gate's (the final dot withheld: the caller acts on it) or an Error. Never left broken.
      drop();
      throw e;
    }
    afterSend(outcome);
    return outcome;
  }

  /**
   * The bookkeeping once the relay's result is in. An error of ours here must not lose that result
   * (an accepted message taken as in doubt is sent again): it is logged and the connection dropped.
   * An Error passes through, the connection dropped.
   */
  private void afterSend(SendOutcome outcome) {
    try {
      lastUsed = clock.instant();
      if (outcome instanceof SendOutcome.Delivered
          || outcome instanceof SendOutcome.RecipientsRefused r && r.dataReply() != null) {
        sentOnThisConnection++;
      }
      if (transport.usable()) {
        move(ConnectionState.IDLE);
      } else {
        drop();
      }
    } catch (RuntimeException e) {
      log.error(
          "{}: unexpected error after a send to {}:{}; the relay's result stands, the connection is"
              + " dropped",
          name,
          config.host(),
          config.port(),
          TraceOnly.of(e));
      drop();
    } catch (Error e) {
      drop();
      throw e;
    }
  }

  /**
   * Writes the message into {@link #mime}; null when done, else the outcome of this send: the
   * message cannot be written (permanent, as the same message would fail again). Nothing was sent
   * to the relay, so the connection is kept, unless this message's envelope was written ahead (the
   * relay waits for its data after a 354).
   */
  private SendOutcome writeIntoMemory(MimeMessage message) {
    try {
      mime.reset();
      message.writeTo(mime, NOT_SENT);
      return null;
    } catch (IOException | MessagingException | RuntimeException e) {
      if (e instanceof RuntimeException) {
        log.error(
            "{}: unexpected error writing a message into memory for {}:{}; nothing was sent",
            name,
            config.host(),
            config.port(),
            TraceOnly.of(e));
      }
      if (transport.hasAhead()) {
        drop();
      } else {
        move(ConnectionState.IDLE);
      }
      return unwritable(e);
    } catch (Error e) {
      drop();
      throw e;
    }
  }

  private static SendOutcome unwritable(Exception e) {
    return new SendOutcome.Unwritable(
        "the message could not be written: " + e.getClass().getSimpleName());
  }

  /** The envelope a message will be sent with: its envelope sender and the given recipients. */
  public static Envelope envelopeOf(MimeMessage message, Address[] recipients)
      throws MessagingException {
    return new Envelope(envelopeSender(message), addresses(recipients));
  }

  /**
   * The envelope sender: the one a {@link SMTPMessage} names ({@link SMTPMessage#setEnvelopeFrom},
   * e.g. a VERP return path), else the message's first From address (Bcc and the other headers play
   * no part).
   */
  private static String envelopeSender(MimeMessage message) throws MessagingException {
    if (message instanceof SMTPMessage m && m.getEnvelopeFrom() != null) {
      return m.getEnvelopeFrom();
    }
    Address[] from = message.getFrom();
    return from == null || from.length == 0 ? "" : ((InternetAddress) from[0]).getAddress();
  }

  private static String[] addresses(Address[] recipients) {
    String[] out = new String[recipients.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((InternetAddress) recipients[i]).getAddress();
    }
    return out;
  }

  /**
   * Closes the connection when it has been idle past the idle timeout; called by the owner between
   * jobs.
   */
  public void closeIfIdle() {
    if (state == ConnectionState.IDLE && idleFor(config.idleTimeout())) {
      log.debug("{}: closing after {} idle", name, config.idleTimeout());
      quit();
    }
  }

  /** Says QUIT now when open and idle; the next send opens a new connection. */
  public void disconnect() {
    if (state == ConnectionState.IDLE) {
      log.debug("{}: closing, more connections are open than allowed", name);
      quit();
    }
  }

  /** Sends QUIT and closes. Idempotent. */
  @Override
  public void close() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    if (state == ConnectionState.IDLE) {
      quit();
    } else if (state != ConnectionState.DISCONNECTED) {
      drop();
    }
    move(ConnectionState.CLOSED);
  }

  private SendOutcome open() {
    move(ConnectionState.CONNECTING);
    try {
      transport = opener.open();
      offer.update(transport.extensions(), transport.mode(), transport.writesAhead());
      opens++;
      openedAt = clock.instant();
      lastUsed = openedAt;
      sentOnThisConnection = 0;
      move(ConnectionState.IDLE);
      log.debug("{}: connected to {}:{}", name, config.host(), config.port());
      return null;
    } catch (SessionOpener.OpenFailed e) {
      drop();
      return e.outcome();
    } catch (RuntimeException e) {
      // A bug of ours, not the relay's answer: this send fails as a failed connection (nothing was
      // sent), and the connection is disconnected (below), to open afresh next time.
      log.warn("{}: unexpected error while connecting to {}", name, config.host(), TraceOnly.of(e));
      return new SendOutcome.ConnectFailed(
          "connect failed: unexpected error (" + e.getClass().getSimpleName() + ")");
    } finally {
      if (state == ConnectionState.CONNECTING) {
        drop(); // an error of ours, or an Error on its way: never left connecting for good
      }
    }
  }

  private boolean idleFor(Duration d) {
    return Duration.between(lastUsed, clock.instant()).compareTo(d) >= 0;
  }

  private void recycleIfDue() {
    if (state != ConnectionState.IDLE) {
      return;
    }
    Instant now = clock.instant();
    if (sentOnThisConnection >= config.maxMessagesPerConnection()
        || Duration.between(openedAt, now).compareTo(config.maxConnectionAge()) >= 0
        || idleFor(config.idleTimeout())) {
      quit();
    }
  }

  private void quit() {
    transport.quit();
    transport = null;
    move(ConnectionState.DISCONNECTED);
  }

  /** Closes the socket without a word: the connection is broken or mid-command. */
  private void drop() {
    if (transport != null) {
      transport.abort();
    }
    transport = null;
    move(ConnectionState.DISCONNECTED);
  }

  private void move(ConnectionState target) {
    if (state != target) {
      state = state.moveTo(target);
    }
  }

  private void requireNotClosed() {
    if (state == ConnectionState.CLOSED) {
      throw new IllegalStateException(name + " is closed");
    }
  }

  @Override
  public String toString() {
    return name + "[" + state + ", " + config.host() + ":" + config.port() + "]";
  }
}
