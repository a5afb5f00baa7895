package dev.postbus.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local web page over an {@link SmtpCapture}: {@code /} lists the newest messages, {@code
 * /messages/N} shows one message's source. Loopback only: it shows addresses and bodies, which is
 * what a developer checking their templates wants, and why it never listens on another interface.
 */
public final class CapturePage implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CapturePage.class);
  private static final int LIST_LIMIT = 200;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final HttpServer http;
  private final SmtpCapture capture;

  private CapturePage(HttpServer http, SmtpCapture capture) {
    this.http = http;
    this.capture = capture;
  }

  public static CapturePage start(SmtpCapture capture, int port) {
    try {
      HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
      CapturePage page = new CapturePage(http, capture);
      http.createContext("/", page::handle);
      http.start();
      log.info("Captured mail: http://127.0.0.1:{}/", page.port());
      return page;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on 127.0.0.1:" + port + " for the capture page", e);
    }
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/")) {
        respond(ex, 200, "text/html; charset=utf-8", listing().getBytes(StandardCharsets.UTF_8));
      } else if (path.matches("/messages/\\d{1,18}")) {
        CapturedMessage m = capture.find(Long.parseLong(path.substring("/messages/".length())));
        if (m == null) {
          respond(
              ex,
              404,
              "text/plain; charset=utf-8",
              "no such message (only the newest are kept)\n".getBytes(StandardCharsets.UTF_8));
        } else {
          respond(ex, 200, "text/plain; charset=utf-8", m.raw());
        }
      } else {
        respond(
            ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private String listing() {
    List<CapturedMessage> messages = capture.recent(LIST_LIMIT);
    StringBuilder html = new StringBuilder(4096 + messages.size() * 200);
    html.append("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5>")
        .append("<title>Postbus capture</title><style>body{font:14px system-ui;margin:2em}")
        .append(
            "td,th{padding:.2em .8em;text-align:left}tr:nth-child(even){background:#f3f3f3}</style>")
        .append("<h1>Postbus capture</h1><p>")
        .append(capture.received())
        .append(" messages received; the newest ")
        .append(messages.size())
        .append(" are shown.</p>")
        .append("<table><tr><th>#</th><th>time</th><th>from</th><th>to</th><th>subject</th></tr>");
    for (CapturedMessage m : messages) {
      html.append("<tr><td><a href=/messages/")
          .append(m.number())
          .append('>')
          .append(m.number())
          .append("</a></td><td>")
          .append(TIME.format(m.receivedAt()))
          .append("</td><td>")
          .append(escape(m.envelopeFrom()))
          .append("</td><td>")
          .append(escape(String.join(", ", m.recipients())))
          .append("</td><td>")
          .append(escape(m.subject()))
          .append("</td></tr>");
    }
    return html.append("</table>").toString();
  }

  private static void respond(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
