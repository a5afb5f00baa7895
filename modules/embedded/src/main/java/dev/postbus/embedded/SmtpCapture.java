package dev.postbus.embedded;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server that accepts every message and keeps it: the newest {@code keep} in full, and a
 * count per Message-ID for all of them (so duplicates are visible however many arrive).
 */
public final class SmtpCapture implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpCapture.class);
  public static final int DEFAULT_KEEP = 10_000;

  /**
   * Guards going down and up; never the message store's monitor, which session threads need while
   * stopping.
   */
  private final Object lifecycle = new Object();

  private volatile SMTPServer server;
  private volatile int boundPort;
  private final int keep;
  private final Clock clock;
  private final Deque<CapturedMessage> recent = new ArrayDeque<>();
  private final Map<String, Integer> countsByMessageId = new ConcurrentHashMap<>();
  private final AtomicLong received = new AtomicLong();
  private volatile Consumer<CapturedMessage> listener = m -> {};
  private volatile Faults faults = Faults.NONE;
  private final Map<String, Integer> offeredByMessageId = new ConcurrentHashMap<>();

  private SmtpCapture(int port, int keep, Clock clock) {
    this.keep = keep;
    this.clock = clock;
    this.server = build(port);
  }

  private SMTPServer build(int port) {
    return SMTPServer.port(port)
        .bindAddress(InetAddress.getLoopbackAddress())
        .softwareName("Postbus capture")
        .maxConnections(1024)
        .maxRecipients(1000)
        .messageHandlerFactory(this::handler)
        .build();
  }

  /** Starts on the given loopback port (0 for a free one). */
  public static SmtpCapture start(int port) {
    return start(port, DEFAULT_KEEP);
  }

  public static SmtpCapture start(int port, int keep) {
    SmtpCapture capture = new SmtpCapture(port, keep, Clock.systemUTC());
    capture.server.start();
    capture.boundPort = capture.server.getPortAllocated();
    log.info("SMTP capture listening on 127.0.0.1:{}", capture.port());
    return capture;
  }

  public int port() {
    return boundPort;
  }

  /**
   * Stops listening (connections are refused) but keeps everything captured; {@link #resume()}
   * undoes it.
   */
  public void goDown() {
    synchronized (lifecycle) {
      server.stop();
    }
    log.info("SMTP capture on 127.0.0.1:{} is down", boundPort);
  }

  /** Listens again on the same port. */
  public void resume() {
    synchronized (lifecycle) {
      server = build(boundPort);
      server.start();
    }
    log.info("SMTP capture on 127.0.0.1:{} is up again", boundPort);
  }

  /** Called on the server's thread for each message, after it is stored. */
  public void onMessage(Consumer<CapturedMessage> listener) {
    this.listener = listener;
  }

  /** Scripts failures (see {@link Faults}); {@link Faults#NONE} accepts everything. */
  public void faults(Faults faults) {
    this.faults = faults;
  }

  public long received() {
    return received.get();
  }

  /** How many times each Message-ID arrived. */
  public Map<String, Integer> countsByMessageId() {
    return Map.copyOf(countsByMessageId);
  }

  /** The newest messages kept, newest first. */
  public synchronized List<CapturedMessage> recent(int limit) {
    List<CapturedMessage> out = new ArrayList<>(Math.min(limit, recent.size()));
    var it = recent.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      out.add(it.next());
    }
    return out;
  }

  public synchronized CapturedMessage find(long number) {
    return recent.stream().filter(m -> m.number() == number).findFirst().orElse(null);
  }

  private synchronized void store(CapturedMessage m) {
    recent.addLast(m);
    while (recent.size() > keep) {
      recent.removeFirst();
    }
  }

  private MessageHandler handler(MessageContext ctx) {
    return new MessageHandler() {
      private String from;
      private final List<String> recipients = new ArrayList<>();

      @Override
      public void from(String address) {
        from = address;
      }

      @Override
      public void recipient(String address) throws RejectException {
        Faults.Reply refusal = faults.recipient(address);
        if (refusal != null) {
          throw new RejectException(refusal.code(), refusal.text());
        }
        recipients.add(address);
      }

      @Override
      public String data(InputStream in) throws RejectException, IOException {
        byte[] raw = in.readAllBytes();
        InternetHeaders headers;
        try {
          headers = new InternetHeaders(new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
          throw new RejectException(554, "5.6.0 unreadable headers");
        }
        String messageId = header(headers, "Message-ID");
        String key = messageId == null ? "" : messageId;
        int offered = offeredByMessageId.merge(key, 1, Integer::sum);
        Faults.Reply refusal = faults.data(messageId, List.copyOf(recipients), offered);
        if (refusal != null) {
          throw new RejectException(refusal.code(), refusal.text());
        }
        long faultDelay = faults.replyDelay(messageId, offered).toNanos();
        if (faultDelay > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(faultDelay);
        }
        long number = received.incrementAndGet();
        CapturedMessage m =
            new CapturedMessage(
                number,
                clock.instant(),
                from,
                recipients,
                messageId,
                decode(header(headers, "Subject")),
                raw);
        store(m);
        if (messageId != null) {
          countsByMessageId.merge(messageId, 1, Integer::sum);
        }
        listener.accept(m);
        return "2.0.0 Ok: captured as " + number;
      }

      @Override
      public void done() {}
    };
  }

  private static String header(InternetHeaders headers, String name) {
    String v = headers.getHeader(name, null);
    return v == null ? null : v.strip();
  }

  private static String decode(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MimeUtility.decodeText(MimeUtility.unfold(text));
    } catch (UnsupportedEncodingException e) {
      return text;
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      server.stop();
    }
  }
}
