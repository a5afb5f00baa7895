package dev.postbus.bench;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.smtp.TlsMode;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;

/**
 * Postbus's SMTP session alone, without Kafka: K threads each with one {@link SmtpConnection}, building the
 * same messages as angus-loop. What the transport costs, beside what Angus's costs.
 */
final class TransportScenario implements Scenario {

  @Override
  public String name() {
    return "postbus-transport";
  }

  @Override
  public RunResult run(Context ctx, int k, String sink) throws Exception {
    SmtpConfig config = SmtpConfig.builder(ctx.host(), ctx.port(), TlsMode.NONE)
        .maxMessagesPerConnection(1_000_000).build();
    Session session = SmtpConnection.sessionFor(config);
    return AngusScenarios.onThreads(name(), ctx, k, sink, lane -> {
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "bench-" + lane)) {
        for (int i = lane; i < ctx.workload().messages(); i += k) {
          MimeMessage m = ctx.workload().message(session, i);
          SendOutcome outcome = c.send(m, m.getAllRecipients());
          if (!(outcome instanceof SendOutcome.Delivered)) {
            throw new IllegalStateException("message " + i + " not delivered: " + outcome);
          }
        }
      }
    });
  }
}
