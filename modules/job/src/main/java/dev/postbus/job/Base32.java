package dev.postbus.job;

import java.io.ByteArrayOutputStream;

/**
 * RFC 4648 base32 in lower case without padding, for {@link VerpToken} (the job module carries no
 * Guava: the client depends on it). Decoding is strict: only the canonical encoding of some bytes
 * is read (no other characters, no set bits past the last byte), so a token has one spelling.
 */
final class Base32 {

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  private Base32() {}

  static String encode(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  /** The bytes, or null when {@code text} is not the canonical encoding of any. */
  static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < text.length(); i++) {
      int v = ALPHABET.indexOf(text.charAt(i));
      if (v < 0) {
        return null;
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xFF);
        bits -= 8;
      }
    }
    if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
      return null; // a character too many, or bits set past the last byte
    }
    return out.toByteArray();
  }
}
