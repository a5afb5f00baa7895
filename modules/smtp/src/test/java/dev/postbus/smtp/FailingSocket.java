package dev.postbus.smtp;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A socket that throws {@code failure} once, on cue: on the write that carries {@code marker}
 * (before any of it is written), or, {@code onReadAfter}, on the first read once that write went
 * out. It stands for an error of ours inside a session (a bug in encoding, say), not the relay's.
 * {@link #afterReading}: that read first takes the relay's bytes up to a text (its reply to the end
 * of the message), which the session never sees: the relay surely has the message.
 */
final class FailingSocket extends Socket {

  private final String marker;
  private final boolean onReadAfter;
  private final Throwable failure;
  private volatile boolean armed = true;
  private volatile boolean markerWritten;
  private String drainTo;

  FailingSocket(String marker, boolean onReadAfter, Throwable failure) {
    this.marker = marker;
    this.onReadAfter = onReadAfter;
    this.failure = failure;
  }

  /** The failing read first reads the relay's bytes up to and including {@code text}. */
  FailingSocket afterReading(String text) {
    drainTo = text;
    return this;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return new FilterOutputStream(super.getOutputStream()) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        boolean hit =
            armed && new String(b, off, len, StandardCharsets.ISO_8859_1).contains(marker);
        if (hit && !onReadAfter) {
          fail();
        }
        out.write(b, off, len);
        markerWritten |= hit;
      }
    };
  }

  @Override
  public InputStream getInputStream() throws IOException {
    return new FilterInputStream(super.getInputStream()) {
      @Override
      public int read() throws IOException {
        failIfDue(in);
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        failIfDue(in);
        return super.read(b, off, len);
      }
    };
  }

  private void failIfDue(InputStream in) throws IOException {
    if (onReadAfter && markerWritten && armed) {
      if (drainTo != null) {
        StringBuilder read = new StringBuilder();
        for (int c = in.read(); c >= 0 && read.indexOf(drainTo) < 0; c = in.read()) {
          read.append((char) c);
        }
      }
      fail();
    }
  }

  private void fail() {
    armed = false;
    if (failure instanceof Error e) {
      throw e;
    }
    throw (RuntimeException) failure;
  }
}
