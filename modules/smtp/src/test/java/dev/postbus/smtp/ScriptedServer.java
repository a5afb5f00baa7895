package dev.postbus.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small SMTP server for fault scripts: it offers the EHLO keywords it is given, answers each
 * command with what the script says ("250 ok", or {@link #DROP} to cut the connection there), reads
 * DATA and BDAT content, and records every command line, every message's bytes as received, and
 * protocol mistakes a client made.
 *
 * <p>{@code requirePipelining}: replies are held until the end of a command group (DATA, BDAT, the
 * end of the data, or a command that must end a group), so a lock-step client would wait forever;
 * {@code !requirePipelining} and no PIPELINING offered: a command that arrives while another is
 * unanswered is recorded as a violation.
 */
final class ScriptedServer implements AutoCloseable {

  static final String DROP = "DROP";

  private final ServerSocket server;
  private final List<String> extensions;
  private final Function<String, String> script;
  private final boolean requirePipelining;
  final List<String> commands = new CopyOnWriteArrayList<>();
  final List<byte[]> messages = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();

  /**
   * For each message received with DATA: the bytes already waiting after its "." (the next
   * commands, if pipelined).
   */
  final List<Integer> bufferedAfterDot = new CopyOnWriteArrayList<>();

  volatile int connections;

  /**
   * @param script the reply to a command line (the verb is upper case), to "." (end of DATA) or to
   *     "BDAT"
   */
  ScriptedServer(
      List<String> extensions, boolean requirePipelining, Function<String, String> script)
      throws IOException {
    this.extensions = extensions;
    this.script = script;
    this.requirePipelining = requirePipelining;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "scripted-smtp");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The usual happy answers; a script falls back to it. */
  static String ok(String command) {
    String verb =
        command.length() >= 4 ? command.substring(0, 4).toUpperCase(Locale.ROOT) : command;
    return switch (verb) {
      case "DATA" -> "354 go ahead";
      case "QUIT" -> "221 bye";
      case "." -> "250 2.0.0 queued";
      default -> "250 2.0.0 ok";
    };
  }

  private void accept() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections++;
        serve(s.getInputStream(), s.getOutputStream());
      } catch (IOException e) {
        // the client went away, or the script dropped it
      }
    }
  }

  private void serve(InputStream raw, OutputStream out) throws IOException {
    Input in = new Input(raw);
    ByteArrayOutputStream held = new ByteArrayOutputStream();
    send(out, held, "220 scripted ESMTP", true);
    boolean challenged = false;
    while (true) {
      String line = in.line();
      if (line == null) {
        return;
      }
      commands.add(line);
      String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
      if (!extensions.contains("PIPELINING") && in.buffered() > 0) {
        violations.add("pipelined after " + verb + " though PIPELINING was not offered");
      }
      if (verb.equals("BDAT")) { // the reply comes after the chunk
        byte[] chunk = in.bytes(Integer.parseInt(line.trim().split(" +")[1]));
        if (chunk == null) {
          return;
        }
        messages.add(chunk);
      }
      String reply = script.apply(line);
      if (verb.equals("EHLO") && reply.startsWith("250")) {
        reply = ehlo();
      }
      if (reply.equals(DROP)) {
        return;
      }
      boolean groupEnd =
          !requirePipelining
              || challenged
              || reply.startsWith("334")
              || List.of("EHLO", "HELO", "DATA", "BDAT", "QUIT", "STAR", "AUTH", "NOOP")
                  .contains(verb);
      challenged =
          reply.startsWith("334"); // the next line is an AUTH answer, which ends a group too
      send(out, held, reply, groupEnd);
      if (verb.equals("QUIT")) {
        return;
      }
      if (verb.equals("DATA") && reply.startsWith("354")) {
        byte[] data = in.data();
        if (data == null) {
          return;
        }
        messages.add(data);
        bufferedAfterDot.add(in.buffered());
        String end = script.apply(".");
        if (end.equals(DROP)) {
          return;
        }
        send(out, held, end, true);
      }
    }
  }

  private String ehlo() {
    StringBuilder b = new StringBuilder();
    b.append(extensions.isEmpty() ? "250 scripted" : "250-scripted");
    for (int i = 0; i < extensions.size(); i++) {
      b.append("\r\n250").append(i == extensions.size() - 1 ? ' ' : '-').append(extensions.get(i));
    }
    return b.toString();
  }

  private static void send(
      OutputStream out, ByteArrayOutputStream held, String reply, boolean flush)
      throws IOException {
    held.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    if (flush) {
      out.write(held.toByteArray());
      out.flush();
      held.reset();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** The client's bytes, read through a buffer that says what has arrived and not been read. */
  private static final class Input {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    Input(InputStream in) {
      this.in = in;
    }

    int buffered() throws IOException {
      return limit - pos + in.available();
    }

    private boolean fill() throws IOException {
      if (pos < limit) {
        return true;
      }
      int n = in.read(buf);
      if (n < 0) {
        return false;
      }
      pos = 0;
      limit = n;
      return true;
    }

    String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (fill()) {
        byte c = buf[pos++];
        if (c == '\n') {
          byte[] l = b.toByteArray();
          int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
          return new String(l, 0, len, StandardCharsets.UTF_8);
        }
        b.write(c);
      }
      return null;
    }

    /** DATA content up to CRLF.CRLF, as received (still dot-stuffed), without the terminator. */
    byte[] data() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      long last = 0x0d0a; // the DATA command's CRLF: the content starts at a line start
      while (fill()) {
        byte c = buf[pos++];
        b.write(c);
        last = (last << 8 | (c & 0xFF)) & 0xFFFFFFFFFFL;
        if (last == 0x0d0a2e0d0aL) { // CR LF . CR LF
          byte[] a = b.toByteArray();
          return java.util.Arrays.copyOf(a, Math.max(0, a.length - 3));
        }
      }
      return null;
    }

    byte[] bytes(int count) throws IOException {
      byte[] out = new byte[count];
      int n = 0;
      while (n < count) {
        if (!fill()) {
          return null;
        }
        int take = Math.min(count - n, limit - pos);
        System.arraycopy(buf, pos, out, n, take);
        pos += take;
        n += take;
      }
      return out;
    }
  }
}
