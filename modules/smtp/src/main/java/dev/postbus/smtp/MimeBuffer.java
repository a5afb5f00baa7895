package dev.postbus.smtp;

import java.io.ByteArrayOutputStream;

/**
 * A growable buffer whose array is read in place (no copy per message). Grown past 1 MiB, it is
 * kept while large messages keep coming (no regrowth, no copying, per message) and let go after a
 * message that used less than an eighth of it (WireBytes, likewise, lets go after a small one).
 */
final class MimeBuffer extends ByteArrayOutputStream {
  private static final int INITIAL = 16 * 1024;
  private static final int SHRINK_ABOVE = 1024 * 1024;

  MimeBuffer() {
    super(INITIAL);
  }

  @Override
  public synchronized void reset() {
    if (buf.length > SHRINK_ABOVE && count < buf.length / 8) {
      buf = new byte[INITIAL];
    }
    super.reset();
  }

  byte[] array() {
    return buf;
  }
}
