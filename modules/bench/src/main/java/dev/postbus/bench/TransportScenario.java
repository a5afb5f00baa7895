package dev.postbus.bench;

import dev.postbus.job.Job;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.SmtpConnection;
import dev.postbus.smtp.TlsMode;
import dev.postbus.worker.delivery.MessageBuilder;
import jakarta.mail.Address;
import java.time.Clock;

/**
 * Postbus's sending without Kafka: K threads, each with one {@link SmtpConnection}, each message
 * built from the workload's job by the worker's own {@link MessageBuilder} (as a lane does after
 * decoding a job) and sent through Postbus's SMTP session. What the postbus scenario costs apart
 * from Kafka, beside angus-loop, which builds the same message as an Angus user would.
 */
final class TransportScenario implements Scenario {

  @Override
  public String name() {
    return "postbus-transport";
  }

  @Override
  public RunResult run(Context ctx, int k, String sink) throws Exception {
    SmtpConfig config =
        SmtpConfig.builder(ctx.host(), ctx.port(), TlsMode.NONE)
            .maxMessagesPerConnection(1_000_000)
            .build();
    MessageBuilder builder =
        new MessageBuilder(SmtpConnection.sessionFor(config), Clock.systemUTC());
    return AngusScenarios.onThreads(
        name(),
        ctx,
        k,
        sink,
        lane -> {
          try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "bench-" + lane)) {
            for (int i = lane; i < ctx.workload().messages(); i += k) {
              Job job = ctx.workload().job("transport", i);
              Address[] recipients = MessageBuilder.envelope(job);
              SendOutcome outcome = c.send(builder.build(job), recipients);
              if (!(outcome instanceof SendOutcome.Delivered)) {
                throw new IllegalStateException("message " + i + " not delivered: " + outcome);
              }
            }
          }
        });
  }
}
