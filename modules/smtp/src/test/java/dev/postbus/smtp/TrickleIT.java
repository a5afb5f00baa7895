package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that trickles, one byte every 150 ms against a read timeout of 200 ms: no single read
 * ever waits its timeout, so only a bound on the whole reply (the greeting, each reply, the end's
 * reply) and on the whole TLS handshake ends the wait. Without it a lane was held for hours.
 */
class TrickleIT {

  @TempDir Path dir;

  private static final long PACE_MILLIS = 150;
  private static final Duration READ_TIMEOUT = Duration.ofMillis(200);
  private static final Duration BOUND = Duration.ofSeconds(10); // generous: 2 cores, shared

  /** A cold TLS handshake on 2 shared cores needs some seconds, and must fit the read timeout. */
  private static final Duration TLS_READ_TIMEOUT = Duration.ofSeconds(3);

  /** Generous still, and far below the 300 s a 2,000-byte record takes at a byte per 150 ms. */
  private static final Duration TLS_BOUND = Duration.ofSeconds(30);

  private static final byte[] ENDLESS_REPLY = "250-x\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A TLS handshake record header (16 KB to come), then its body, a byte at a time. */
  private static final byte[] ENDLESS_RECORD = {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x00};

  /**
   * The JVM's first TLS use loads its crypto (seconds on a loaded machine): not under the bound.
   */
  @BeforeAll
  static void warmTls() throws Exception {
    javax.net.ssl.SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(true);
    engine.beginHandshake();
  }

  private static SmtpConfig config(int port, TlsMode tls) {
    return SmtpConfig.builder("localhost", port, tls)
        .readTimeout(READ_TIMEOUT)
        .writeTimeout(Duration.ofSeconds(2))
        .dataDoneTimeout(Duration.ofMillis(300))
        .build();
  }

  private static SendOutcome send(HandRelay relay, TlsMode tls) {
    return send(config(relay.port(), tls));
  }

  private static SendOutcome send(SmtpConfig config) {
    return send(config, BOUND);
  }

  private static SendOutcome send(SmtpConfig config, Duration bound) {
    return assertTimeoutPreemptively(
        bound,
        () -> {
          try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
            return c.send(message("x"), Rcpt.of("b@example.net"));
          }
        });
  }

  @Test
  void aReplyTrickledForeverEndsAsALostConnectionAfterTheReadTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250 hand");
              p.line(); // MAIL
              p.drip(ENDLESS_REPLY, PACE_MILLIS);
            })) {
      assertThat(send(relay, TlsMode.NONE))
          .isInstanceOfSatisfying(
              SendOutcome.ConnectionLost.class,
              l -> assertThat(l.problem()).contains("before the end of data"));
    }
  }

  @Test
  void theEndsReplyTrickledForeverIsInDoubtAfterTheDataDoneTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.envelope(java.util.List.of(), null);
              p.data();
              p.drip(ENDLESS_REPLY, PACE_MILLIS);
            })) {
      assertThat(send(relay, TlsMode.NONE)).isInstanceOf(SendOutcome.InDoubt.class);
    }
  }

  @Test
  void aGreetingTrickledForeverIsAFailedConnection() throws Exception {
    try (HandRelay relay = new HandRelay(p -> p.drip(ENDLESS_REPLY, PACE_MILLIS))) {
      assertThat(send(relay, TlsMode.NONE)).isInstanceOf(SendOutcome.ConnectFailed.class);
    }
  }

  @Test
  void aTlsHandshakeTrickledForeverIsAFailedConnection() throws Exception {
    try (HandRelay relay = new HandRelay(p -> p.drip(ENDLESS_RECORD, PACE_MILLIS))) {
      assertThat(send(relay, TlsMode.IMPLICIT)).isInstanceOf(SendOutcome.ConnectFailed.class);
    }
  }

  /**
   * Below TLS (a TLS-terminating proxy, a slow link): after MAIL the relay's one TLS record of a
   * reply arrives a byte every 150 ms. One read of the TLS stream reads the whole record, each of
   * its reads of the TCP socket with the full read timeout (3 s here: the handshake must fit):
   * without the watchdog's bound on the reply, some 2,000 bytes took five minutes.
   */
  @Test
  void aTlsRecordTrickledBelowTlsEndsAsALostConnectionAfterTheReadTimeout() throws Exception {
    SendOutcome outcome =
        sendBehindProxy(
            (p, proxy) -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250 hand");
              p.line(); // MAIL
              proxy.trickle();
              p.reply("250 " + "x".repeat(2000)); // one TLS record
              p.hold();
            });
    assertThat(outcome)
        .isInstanceOfSatisfying(
            SendOutcome.ConnectionLost.class,
            l -> assertThat(l.problem()).contains("before the end of data"));
  }

  /** The same over STARTTLS: the TLS stream read after the upgrade is bounded as well. */
  @Test
  void aTlsRecordTrickledBelowStartTlsEndsAsALostConnectionAfterTheReadTimeout() throws Exception {
    SendOutcome outcome =
        sendBehindProxy(
            TlsMode.STARTTLS_REQUIRED,
            (p, proxy) -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250-hand\r\n250 STARTTLS");
              p.line(); // STARTTLS
              p.reply("220 go ahead");
              p.startTls(serverTls);
              p.line(); // EHLO again
              p.reply("250 hand");
              p.line(); // MAIL
              proxy.trickle();
              p.reply("250 " + "x".repeat(2000)); // one TLS record
              p.hold();
            });
    assertThat(outcome)
        .isInstanceOfSatisfying(
            SendOutcome.ConnectionLost.class,
            l -> assertThat(l.problem()).contains("before the end of data"));
  }

  /** The same for the end's reply: in doubt after the data-done timeout. */
  @Test
  void theEndsTlsRecordTrickledBelowTlsIsInDoubtAfterTheDataDoneTimeout() throws Exception {
    SendOutcome outcome =
        sendBehindProxy(
            (p, proxy) -> {
              p.envelope(java.util.List.of(), null);
              p.data();
              proxy.trickle();
              p.reply("250 " + "x".repeat(2000)); // one TLS record
              p.hold();
            });
    assertThat(outcome).isInstanceOf(SendOutcome.InDoubt.class);
  }

  /** Replies of a pipelined BDAT group, dripped just inside the group's data-done timeout each. */
  private static final byte[] DRIPPED_OK = "250 2.0.0 ok\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final long GROUP_PACE_MILLIS = 130; // 14 bytes: 1.82 s a reply

  private static final Duration GROUP_DATA_DONE = Duration.ofSeconds(2);

  /**
   * Pipelined BDAT: MAIL, the RCPTs, BDAT … LAST and its chunk go in one write, and their replies
   * are read after it, all of them within one data-done timeout. A relay that dripped each reply
   * just inside the data-done timeout (1.82 s of 2 s here) held the lane that timeout for every
   * reply: 7 × 1.82 s here, 52 × 10 min (8.7 hours) at 50 recipients and the default.
   */
  @Test
  void aPipelinedBdatGroupsTrickledRepliesEndWithinOneDataDoneTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250-hand\r\n250-PIPELINING\r\n250 CHUNKING");
              String bdat = p.line();
              while (bdat != null && !bdat.startsWith("BDAT")) {
                bdat = p.line(); // MAIL, every RCPT
              }
              p.bytes(Integer.parseInt(bdat.split(" ")[1]));
              p.drip(DRIPPED_OK, GROUP_PACE_MILLIS); // every reply of the group, and more
            })) {
      SmtpConfig config =
          SmtpConfig.builder("localhost", relay.port(), TlsMode.NONE)
              .readTimeout(READ_TIMEOUT)
              .writeTimeout(Duration.ofSeconds(2))
              .dataDoneTimeout(GROUP_DATA_DONE)
              .build();
      SendOutcome outcome =
          assertTimeoutPreemptively(
              GROUP_DATA_DONE.multipliedBy(3), // one data-done and slack; 7 of them before
              () -> {
                try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
                  return c.send(
                      message("x"),
                      Rcpt.of(
                          "b1@example.net",
                          "b2@example.net",
                          "b3@example.net",
                          "b4@example.net",
                          "b5@example.net"));
                }
              });
      assertThat(outcome).isInstanceOf(SendOutcome.InDoubt.class);
    }
  }

  /** Replies of a pipelined DATA group, each whole just inside the 1 s read timeout (0.84 s). */
  private static final long DATA_GROUP_PACE_MILLIS = 60; // 14 bytes of DRIPPED_OK

  private static final String[] FIVE = {
    "b1@example.net", "b2@example.net", "b3@example.net", "b4@example.net", "b5@example.net"
  };

  private static SmtpConfig dataGroupConfig(int port) {
    return SmtpConfig.builder("localhost", port, TlsMode.NONE)
        .readTimeout(Duration.ofSeconds(1))
        .writeTimeout(Duration.ofSeconds(2))
        .dataDoneTimeout(GROUP_DATA_DONE)
        .build();
  }

  /** The lines of a pipelined group up to its DATA (MAIL, every RCPT). */
  private static void readUpToData(HandRelay.Peer p) throws Exception {
    String l = p.line();
    while (l != null && !l.equals("DATA")) {
      l = p.line();
    }
  }

  /**
   * Pipelined DATA (PIPELINING without CHUNKING): MAIL, 5 RCPTs and DATA in one write, their 7
   * replies read after it, all of them within one data-done timeout (2 s), each within the read
   * timeout (1 s). Each was bounded by the read timeout alone: 7 × 0.84 s here, 102 × 5 min at 100
   * recipients and the default.
   */
  @Test
  void aPipelinedDataGroupsTrickledRepliesEndWithinOneDataDoneTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250-hand\r\n250 PIPELINING");
              readUpToData(p);
              p.drip(DRIPPED_OK, DATA_GROUP_PACE_MILLIS); // every reply of the group, and more
            })) {
      SmtpConfig config = dataGroupConfig(relay.port());
      SendOutcome outcome =
          assertTimeoutPreemptively(
              GROUP_DATA_DONE.multipliedBy(2), // one data-done and slack; 5.9 s before
              () -> {
                try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
                  return c.send(message("x"), Rcpt.of(FIVE));
                }
              });
      assertThat(outcome).isInstanceOf(SendOutcome.ConnectionLost.class);
    }
  }

  /**
   * The envelope written ahead with a message's end: its replies are read by the next send, all of
   * them within one data-done timeout as any pipelined group's.
   */
  @Test
  void theTrickledRepliesOfAnEnvelopeWrittenAheadEndWithinOneDataDoneTimeout() throws Exception {
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.reply("220 hand ESMTP");
              p.line(); // EHLO
              p.reply("250-hand\r\n250-8BITMIME\r\n250 PIPELINING");
              readUpToData(p);
              p.reply("250 ok\r\n".repeat(FIVE.length) + "250 ok\r\n354 go");
              String l = p.line();
              while (l != null && !l.equals(".")) {
                l = p.line(); // the message
              }
              readUpToData(p); // the next envelope, written ahead
              p.reply("250 queued");
              p.drip(DRIPPED_OK, DATA_GROUP_PACE_MILLIS); // the replies to the envelope ahead
            })) {
      SmtpConfig config = dataGroupConfig(relay.port());
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        jakarta.mail.internet.MimeMessage second = message("second");
        assertThat(
                c.send(
                    message("first"),
                    Rcpt.of(FIVE),
                    SmtpConnection.envelopeOf(second, Rcpt.of(FIVE))))
            .isInstanceOf(SendOutcome.Delivered.class);
        SendOutcome outcome =
            assertTimeoutPreemptively(
                GROUP_DATA_DONE.multipliedBy(2), // one data-done and slack; 5.9 s before
                () -> c.send(second, Rcpt.of(FIVE), null));
        assertThat(outcome).isInstanceOf(SendOutcome.ConnectionLost.class);
      }
    }
  }

  interface ProxiedHandler {
    void serve(HandRelay.Peer peer, TricklingProxy proxy) throws Exception;
  }

  /** One send over implicit TLS to a relay behind a {@link TricklingProxy}. */
  private SendOutcome sendBehindProxy(ProxiedHandler handler) throws Exception {
    return sendBehindProxy(TlsMode.IMPLICIT, handler);
  }

  /** The relay's TLS context, for a handler that starts TLS itself (STARTTLS). */
  private volatile SSLContext serverTls;

  /** One send over {@code tls} to a relay behind a {@link TricklingProxy}. */
  private SendOutcome sendBehindProxy(TlsMode tls, ProxiedHandler handler) throws Exception {
    Certificates certs = Certificates.selfSigned(dir, "localhost");
    serverTls = certs.serverContext();
    TricklingProxy[] proxy = new TricklingProxy[1];
    try (HandRelay relay =
            new HandRelay(
                tls == TlsMode.IMPLICIT ? serverTls : null, 0, p -> handler.serve(p, proxy[0]));
        TricklingProxy trickling = new TricklingProxy(relay.port(), PACE_MILLIS)) {
      proxy[0] = trickling;
      SmtpConfig config =
          SmtpConfig.builder("localhost", trickling.port(), tls)
              .trustStore(TrustStore.load(certs.trustStore, Secret.of(Certificates.PASSWORD)))
              .readTimeout(TLS_READ_TIMEOUT)
              .writeTimeout(Duration.ofSeconds(5))
              .dataDoneTimeout(TLS_READ_TIMEOUT)
              .build();
      return send(config, TLS_BOUND);
    }
  }
}
