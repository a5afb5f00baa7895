package dev.postbus.feedback.receive;

import dev.postbus.feedback.config.SmtpSettings;
import dev.postbus.job.VerpToken;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The SMTP listener of {@code postbus feedback} (SubEthaSMTP): takes DSNs and ARF complaints for
 * the bounce domain (and the VERP domain) and writes them as the HTTP endpoints do, through the
 * same {@link Intake}.
 */
public final class BounceListener implements AutoCloseable {

  private static final int MAX_CONNECTIONS = 200;
  private static final int TIMEOUT_SECONDS = 60;

  private final SMTPServer server;

  private BounceListener(SMTPServer server) {
    this.server = server;
  }

  public static BounceListener start(
      String host, SmtpSettings settings, Intake intake, FeedbackMetrics metrics, Clock clock) {
    VerpToken verp = settings.verpToken();
    SMTPServer server =
        SMTPServer.port(settings.port())
            .bindAddress(address(host))
            .hostName(settings.bounceDomain())
            .softwareName("Postbus feedback")
            .maxConnections(MAX_CONNECTIONS)
            .connectionTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .maxMessageSize(settings.maxMessage())
            .messageHandlerFactory(ctx -> new BounceSession(settings, verp, intake, metrics, clock))
            .build();
    server.start();
    return new BounceListener(server);
  }

  private static InetAddress address(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("feedback.host: unknown host " + host);
    }
  }

  public int port() {
    return server.getPortAllocated();
  }

  @Override
  public void close() {
    server.stop();
  }
}
