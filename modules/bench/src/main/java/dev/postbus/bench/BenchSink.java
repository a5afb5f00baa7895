package dev.postbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Our SMTP sink for benchmarks: accepts and discards every message, counting them. Optionally waits
 * {@code dataDelay} before answering the final '.' (a relay's processing time) and {@code rtt} before
 * answering MAIL, RCPT and the final '.' (a network round trip; SubEthaSMTP cannot delay its 354 to DATA).
 */
final class BenchSink implements AutoCloseable {

  private final SMTPServer server;
  private final AtomicLong messages = new AtomicLong();
  private final long dataDelayNanos;
  private final long rttNanos;

  BenchSink(Duration dataDelay, Duration rtt) {
    this.dataDelayNanos = dataDelay.toNanos();
    this.rttNanos = rtt.toNanos();
    this.server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).softwareName("postbus-bench-sink")
        .maxConnections(4096).maxRecipients(1000).messageHandlerFactory(ctx -> new MessageHandler() {
          @Override
          public void from(String from) {
            pause(rttNanos);
          }

          @Override
          public void recipient(String recipient) {
            pause(rttNanos);
          }

          @Override
          public String data(InputStream in) throws IOException {
            in.transferTo(OutputDiscard.INSTANCE);
            pause(dataDelayNanos + rttNanos);
            messages.incrementAndGet();
            return null;
          }

          @Override
          public void done() {}
        }).build();
    server.start();
  }

  private static void pause(long nanos) {
    if (nanos > 0) {
      LockSupport.parkNanos(nanos);
    }
  }

  int port() {
    return server.getPortAllocated();
  }

  long messages() {
    return messages.get();
  }

  @Override
  public void close() {
    server.stop();
  }

  private static final class OutputDiscard extends java.io.OutputStream {
    static final OutputDiscard INSTANCE = new OutputDiscard();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
