package dev.postbus.bench;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * The references: Angus Mail by hand, with persistent connections (angus-loop) and without
 * (angus-naive).
 */
final class AngusScenarios {

  private AngusScenarios() {}

  static Session session(String host, int port) {
    Properties p = new Properties();
    p.put("mail.smtp.host", host);
    p.put("mail.smtp.port", Integer.toString(port));
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "60000");
    return Session.getInstance(p);
  }

  /** K threads, each with one persistent connection, sharing the messages round-robin. */
  static final class Loop implements Scenario {
    @Override
    public String name() {
      return "angus-loop";
    }

    @Override
    public RunResult run(Context ctx, int k, String sink) throws Exception {
      Session session = session(ctx.host(), ctx.port());
      return onThreads(
          name(),
          ctx,
          k,
          sink,
          lane -> {
            SMTPTransport t = (SMTPTransport) session.getTransport("smtp");
            t.connect();
            try {
              for (int i = lane; i < ctx.workload().messages(); i += k) {
                MimeMessage m = ctx.workload().message(session, i);
                t.sendMessage(m, m.getAllRecipients());
              }
            } finally {
              t.close();
            }
          });
    }
  }

  /** K threads, each message with {@code Transport.send}: a new connection every time. */
  static final class Naive implements Scenario {
    @Override
    public String name() {
      return "angus-naive";
    }

    @Override
    public RunResult run(Context ctx, int k, String sink) throws Exception {
      Session session = session(ctx.host(), ctx.port());
      return onThreads(
          name(),
          ctx,
          k,
          sink,
          lane -> {
            for (int i = lane; i < ctx.workload().messages(); i += k) {
              Transport.send(ctx.workload().message(session, i));
            }
          });
    }
  }

  interface Lane {
    void run(int lane) throws Exception;
  }

  static RunResult onThreads(String name, Scenario.Context ctx, int k, String sink, Lane lane)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(k);
    try {
      Measurement m = Measurement.start();
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        int index = i;
        done.add(
            pool.submit(
                () -> {
                  lane.run(index);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return new RunResult(
          name,
          sink,
          k,
          1,
          ctx.workload().messages(),
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
      pool.shutdownNow();
    }
  }
}
