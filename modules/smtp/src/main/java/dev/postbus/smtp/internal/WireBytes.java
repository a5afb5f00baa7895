package dev.postbus.smtp.internal;

/**
 * A message's bytes as the server must see them, made in one pass over the MIME bytes: every line
 * ends in CRLF (a bare LF or a bare CR becomes CRLF, so the server never sees either: the "SMTP
 * smuggling" rule), the content ends with CRLF, and for DATA every line starting with "." gets a
 * second "." and the terminating ".\r\n" follows. For BDAT nothing is stuffed and nothing is
 * appended.
 *
 * <p>The output array is reused between messages of one connection; {@link #length()} says how much
 * of it is the current message.
 */
public final class WireBytes {

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte DOT = '.';

  private static final int INITIAL = 16 * 1024;

  /** A buffer grown past this for one large message is let go when the next one is small. */
  private static final int SHRINK_ABOVE = 1024 * 1024;

  private byte[] out = new byte[INITIAL];
  private int length;
  private int added;
  private boolean eightBit;

  /**
   * Encodes {@code raw[0..rawLength)}; {@code dotStuff} for DATA (stuffing and the final ".\r\n"),
   * off for BDAT.
   */
  public WireBytes encode(byte[] raw, int rawLength, boolean dotStuff) {
    // Worst case: every byte a bare LF (becomes 2), or a "." at each line start (becomes 2), plus
    // ".\r\n" + CRLF.
    int worst = 2 * rawLength + 5;
    if (out.length < worst) {
      out = new byte[Math.max(worst, out.length * 2)];
    } else if (out.length > SHRINK_ABOVE && worst <= SHRINK_ABOVE) {
      out = new byte[Math.max(INITIAL, worst)];
    }
    byte[] o = out;
    int n = 0;
    int stuffed = 0;
    int high = 0;
    boolean lineStart = true;
    for (int i = 0; i < rawLength; i++) {
      byte b = raw[i];
      if (b == CR || b == LF) {
        o[n++] = CR;
        o[n++] = LF;
        if (b == CR && i + 1 < rawLength && raw[i + 1] == LF) {
          i++;
        }
        lineStart = true;
        continue;
      }
      if (lineStart && dotStuff && b == DOT) {
        o[n++] = DOT;
        stuffed++;
      }
      high |= b;
      o[n++] = b;
      lineStart = false;
    }
    if (!lineStart) {
      o[n++] = CR;
      o[n++] = LF;
    }
    if (dotStuff) {
      o[n++] = DOT;
      o[n++] = CR;
      o[n++] = LF;
    }
    length = n;
    added = stuffed + (dotStuff ? 3 : 0);
    eightBit = high < 0;
    return this;
  }

  public byte[] array() {
    return out;
  }

  public int length() {
    return length;
  }

  /**
   * The message's size as SIZE counts it (RFC 1870 3): the CRLF content without the dots added by
   * stuffing and without the final ".\r\n".
   */
  public int messageSize() {
    return length - added;
  }

  /** Whether some byte is above 0x7F (the message needs 8BITMIME to be sent as it is). */
  public boolean eightBit() {
    return eightBit;
  }
}
