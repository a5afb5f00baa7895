package dev.postbus.smtp;

import java.io.ByteArrayOutputStream;

/**
 * A growable buffer whose array is read in place (no copy per message); grown past 1 MiB for one
 * large message, it starts small again with the next.
 */
final class MimeBuffer extends ByteArrayOutputStream {
  private static final int INITIAL = 16 * 1024;

  MimeBuffer() {
    super(INITIAL);
  }

  @Override
  public synchronized void reset() {
    if (buf.length > 1024 * 1024) {
      buf = new byte[INITIAL];
    }
    super.reset();
  }

  byte[] array() {
    return buf;
  }
}
