package dev.postbus.worker.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text) and {@code /health/live} and {@code /health/ready} for probes.
 * Live until the worker has stopped or lost a sender lane or the send ledger's writer; ready only
 * while RUNNING (not while starting, paused for a relay problem, or draining). Bodies are JSON with
 * the state and, when not ready, the reason.
 */
public final class OpsServer implements AutoCloseable {

  /**
   * Liveness probe: 200 until the worker has stopped or lost a part it cannot do without (a sender
   * lane, the send ledger's writer); the body says why.
   */
  public static final String LIVE_PATH = "/health/live";

  /** Readiness probe: 200 only while RUNNING. */
  public static final String READY_PATH = "/health/ready";

  /** Prometheus text. */
  public static final String METRICS_PATH = "/metrics";

  /**
   * POST: lets delivery go on after the bounce-rate guard paused it ({@code postbus resume}); only
   * with the {@link AdminToken}.
   */
  public static final String RESUME_PATH = "/admin/resume";

  /**
   * What the probes report, with what each relay offered in EHLO and how the worker sends to it.
   *
   * @param state the worker's state, by name (STARTING, RUNNING, PAUSED, DRAINING, STOPPED)
   * @param live whether {@link #LIVE_PATH} answers 200
   * @param ready whether {@link #READY_PATH} answers 200
   * @param reason why not ready, or null
   * @param feedbackReader the state of the reader of {@code <topic>.feedback} (up, waiting, down,
   *     dead...), a detail that never makes the worker unready; null without one
   */
  public record Status(
      String state,
      boolean live,
      boolean ready,
      String reason,
      java.util.List<RelayStatus> relays,
      String feedbackReader) {}

  /**
   * One relay: its EHLO keywords (e.g. "CHUNKING, PIPELINING, SIZE 10240000") and the send mode;
   * null before it answered.
   */
  public record RelayStatus(String name, String offered, String sending) {}

  private final HttpServer http;

  private OpsServer(HttpServer http) {
    this.http = http;
  }

  private static String json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Listens on {@code port} (0: any free port) on every interface: probes come from outside the
   * pod.
   *
   * @param resume lets delivery go on after the bounce-rate guard (200); 409 when it was not
   *     holding it, 503 when Kafka did not take the resume
   */
  public static OpsServer start(
      int port,
      Supplier<Status> status,
      Supplier<String> metrics,
      Supplier<ResumeAnswer> resume,
      AdminToken admin) {
    try {
      HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
      http.createContext(
          LIVE_PATH,
          ex -> {
            Status s = status.get();
            respond(ex, s.live(), s);
          });
      http.createContext(
          READY_PATH,
          ex -> {
            Status s = status.get();
            respond(ex, s.ready(), s);
          });
      http.createContext(
          METRICS_PATH,
          ex -> {
            try (ex) {
              byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
              ex.getResponseHeaders()
                  .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
              ex.sendResponseHeaders(200, body.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
              }
            }
          });
      http.createContext(
          RESUME_PATH,
          ex -> {
            try (ex) {
              if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                send(ex, 405, "{\"error\":\"POST to resume\"}\n");
                return;
              }
              AdminToken.Refusal no = admin.check(ex.getRequestHeaders().getFirst("Authorization"));
              if (no != null) {
                send(ex, no.status(), no.json());
                return;
              }
              ResumeAnswer answer = resume.get();
              switch (answer.kind()) {
                case RESUMED -> send(ex, 200, "{\"resumed\":true}\n");
                case NOT_HELD ->
                    send(
                        ex,
                        409,
                        "{\"resumed\":false,\"reason\":\"the bounce-rate guard is not holding"
                            + " delivery\"}\n");
                case NOT_WRITTEN ->
                    send(
                        ex,
                        503,
                        "{\"resumed\":false,\"reason\":"
                            + json(
                                answer.problem()
                                    + "; delivery stays paused (here and in the group): try again")
                            + "}\n");
              }
            }
          });
      http.start();
      return new OpsServer(http);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on port " + port + " for /metrics and health probes (http.port)", e);
    }
  }

  public int port() {
    return http.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, boolean ok, Status s) throws IOException {
    try (ex) {
      String body =
          "{\"status\":\""
              + (ok ? "up" : "down")
              + "\",\"state\":\""
              + s.state()
              + "\""
              + (s.reason() == null ? "" : ",\"reason\":\"" + escape(s.reason()) + "\"")
              + relays(s)
              + (s.feedbackReader() == null
                  ? ""
                  : ",\"feedbackReader\":\"" + escape(s.feedbackReader()) + "\"")
              + "}\n";
      send(ex, ok ? 200 : 503, body);
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String relays(Status s) {
    if (s.relays().isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(",\"relays\":[");
    for (RelayStatus r : s.relays()) {
      b.append(b.charAt(b.length() - 1) == '[' ? "" : ",")
          .append("{\"name\":\"")
          .append(escape(r.name()))
          .append('"');
      if (r.offered() != null) {
        b.append(",\"offered\":\"")
            .append(escape(r.offered()))
            .append("\",\"sending\":\"")
            .append(escape(r.sending()))
            .append('"');
      }
      b.append('}');
    }
    return b.append(']').toString();
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(' ');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
