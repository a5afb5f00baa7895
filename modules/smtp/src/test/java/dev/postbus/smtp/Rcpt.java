package dev.postbus.smtp;

import jakarta.mail.Address;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** Envelope recipients for tests. */
final class Rcpt {

  private Rcpt() {}

  static Address[] of(String... addresses) throws AddressException {
    Address[] out = new Address[addresses.length];
    for (int i = 0; i < addresses.length; i++) {
      out[i] = new InternetAddress(addresses[i]);
    }
    return out;
  }
}
