package dev.postbus.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

/**
 * Simple Java Mail 8 with its batch module: a pool of K connections, K sending threads, async
 * sends.
 */
final class SimpleJavaMailScenario implements Scenario {

  @Override
  public String name() {
    return "simple-java-mail";
  }

  @Override
  public RunResult run(Context ctx, int k, String sink) throws Exception {
    Mailer mailer =
        MailerBuilder.withSMTPServer(ctx.host(), ctx.port())
            .withTransportStrategy(TransportStrategy.SMTP)
            .withConnectionPoolCoreSize(k)
            .withConnectionPoolMaxSize(k)
            .withThreadPoolSize(k)
            .withSessionTimeout(60_000)
            .buildMailer();
    try {
      Workload w = ctx.workload();
      Measurement m = Measurement.start();
      List<CompletableFuture<Void>> sent = new ArrayList<>(w.messages());
      for (int i = 0; i < w.messages(); i++) {
        var builder =
            EmailBuilder.startingBlank()
                .from(Workload.FROM)
                .to(Workload.to(i))
                .withSubject("Benchmark message " + i)
                .withPlainText(w.text(i));
        if (w.rich()) {
          builder =
              builder
                  .withHTMLText(w.html(i))
                  .withAttachment("report.bin", new byte[20 * 1024], "application/octet-stream");
        }
        Email email = builder.buildEmail();
        sent.add(mailer.sendMail(email, true));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
      return new RunResult(
          name(),
          sink,
          k,
          1,
          w.messages(),
          m.seconds(),
          m.cpuSeconds(),
          m.jitSeconds(),
          Measurement.peakHeapMiB(),
          null,
          null,
          null,
          null,
          null);
    } finally {
      mailer.shutdownConnectionPool().get();
    }
  }
}
