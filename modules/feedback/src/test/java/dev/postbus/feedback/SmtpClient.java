package dev.postbus.feedback;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain SMTP client for tests: each command returns the server's reply code. */
final class SmtpClient implements AutoCloseable {

  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;
  private String last = "";

  SmtpClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
    expect(reply(), 220);
    expect(command("EHLO mx.example.net"), 250);
  }

  int command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply();
  }

  /** DATA, the message (dot-stuffed, CRLF lines), the final dot: the code after the dot. */
  int data(byte[] message) throws IOException {
    int go = command("DATA");
    if (go != 354) {
      return go;
    }
    String text = new String(message, StandardCharsets.UTF_8).replace("\r\n", "\n");
    StringBuilder b = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      b.append(line.startsWith(".") ? "." + line : line).append("\r\n");
    }
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    return command(".");
  }

  /** Sends a message to one recipient from the null sender: the code after the final dot. */
  static int send(int port, String recipient, byte[] message) throws IOException {
    try (SmtpClient c = new SmtpClient(port)) {
      expect(c.command("MAIL FROM:<>"), 250);
      expect(c.command("RCPT TO:<" + recipient + ">"), 250);
      return c.data(message);
    }
  }

  private int reply() throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    last = line;
    return Integer.parseInt(line.substring(0, 3));
  }

  /** The last line of the last reply. */
  String lastReply() {
    return last;
  }

  private static void expect(int code, int wanted) {
    if (code != wanted) {
      throw new AssertionError("SMTP reply " + code + ", expected " + wanted);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      command("QUIT");
    } catch (IOException e) {
      // closing anyway
    }
    socket.close();
  }
}
