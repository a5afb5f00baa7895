package dev.postbus.smtp;

import dev.postbus.smtp.internal.Failures;
import dev.postbus.smtp.internal.MailSessions;
import dev.postbus.smtp.internal.TrackingTransport;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent SMTP connection, owned by one thread at a time. It connects lazily, sends one message at a
 * time, and recycles itself by the hygiene rules of its {@link SmtpConfig}: after a number of messages,
 * at a maximum age, and after an idle period. It never retries: the caller decides from the
 * {@link SendOutcome}.
 */
public final class SmtpConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  private final SmtpConfig config;
  private final Session session;
  private final Clock clock;
  private final String name;

  private volatile ConnectionState state = ConnectionState.DISCONNECTED;
  private TrackingTransport transport;
  private Instant openedAt;
  private Instant lastUsed;
  private int sentOnThisConnection;
  private volatile long opens; // written by the owning thread only; read by metrics
  private Runnable beforeFinalDot = () -> {};

  public SmtpConnection(SmtpConfig config, Clock clock, String name) {
    this(config, MailSessions.create(config), clock, name);
  }

  /** Connections of one relay may share a session. */
  public SmtpConnection(SmtpConfig config, Session session, Clock clock, String name) {
    this.config = config;
    this.session = session;
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
   * Runs on the sending thread just before the final {@code .} of each message, the point after which the
   * relay may accept it. The worker waits there for the send ledger to hold the previous message, so that at
   * most one message per connection is ever accepted without being recorded.
   */
  public void beforeFinalDot(Runnable gate) {
    this.beforeFinalDot = java.util.Objects.requireNonNull(gate);
  }

  /** How many times a connection has been opened (for metrics and tests). */
  public long opens() {
    return opens;
  }

  /**
   * Sends one message to the given envelope recipients, connecting or recycling first when needed.
   */
  public SendOutcome send(MimeMessage message, Address[] recipients) {
    requireNotClosed();
    recycleIfDue();
    if (state == ConnectionState.DISCONNECTED) {
      SendOutcome failure = open();
      if (failure != null) {
        return failure;
      }
    }
    move(ConnectionState.SENDING);
    transport.resetTracking();
    try {
      transport.sendMessage(message, recipients);
      sentOnThisConnection++;
      lastUsed = clock.instant();
      move(ConnectionState.IDLE);
      return new SendOutcome.Delivered(SmtpReply.parse(transport.getLastReturnCode(),
          transport.getLastServerResponse()));
    } catch (MessagingException e) {
      lastUsed = clock.instant();
      SendOutcome outcome = Failures.onSend(e, transport);
      if ((outcome instanceof SendOutcome.Rejected || outcome instanceof SendOutcome.RecipientsRefused)
          && transport.isConnected()) {
        move(ConnectionState.IDLE);
      } else {
        drop();
      }
      return outcome;
    } catch (RuntimeException e) {
      drop();
      throw e;
    }
  }

  /** Closes the connection when it has been idle past the idle timeout; called by the owner between jobs. */
  public void closeIfIdle() {
    if (state == ConnectionState.IDLE && Duration.between(lastUsed, clock.instant()).compareTo(config.idleTimeout()) >= 0) {
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
    transport = new TrackingTransport(session);
    transport.beforeFinalDot(beforeFinalDot);
    try {
      if (config.authenticated()) {
        transport.connect(config.host(), config.port(), config.username(), config.password().reveal());
      } else {
        transport.connect(config.host(), config.port(), null, null);
      }
      opens++;
      openedAt = clock.instant();
      lastUsed = openedAt;
      sentOnThisConnection = 0;
      move(ConnectionState.IDLE);
      log.debug("{}: connected to {}:{}", name, config.host(), config.port());
      return null;
    } catch (MessagingException e) {
      SendOutcome outcome = Failures.onConnect(e, transport);
      drop();
      return outcome;
    } catch (java.io.UncheckedIOException e) {
      // The password or token file is unreadable (a secret being rotated): the relay cannot be used until it is back.
      drop();
      return new SendOutcome.RelayRefused(e.getMessage(), null);
    }
  }

  private void recycleIfDue() {
    if (state != ConnectionState.IDLE) {
      return;
    }
    Instant now = clock.instant();
    if (sentOnThisConnection >= config.maxMessagesPerConnection()
        || Duration.between(openedAt, now).compareTo(config.maxConnectionAge()) >= 0
        || Duration.between(lastUsed, now).compareTo(config.idleTimeout()) >= 0) {
      quit();
    }
  }

  private void quit() {
    try {
      transport.close();
    } catch (MessagingException e) {
      log.debug("{}: QUIT failed: {}", name, e.getMessage());
    }
    transport = null;
    move(ConnectionState.DISCONNECTED);
  }

  /** Closes the socket without waiting for a QUIT reply: the connection is broken or mid-command. */
  private void drop() {
    if (transport != null) {
      try {
        transport.close();
      } catch (MessagingException | RuntimeException e) {
        log.trace("{}: close after failure: {}", name, e.getMessage());
      }
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
