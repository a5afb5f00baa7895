package dev.postbus.smtp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The name sent in EHLO: smtp.helo-name, or this host's name (looked up once), or an address
 * literal.
 */
final class LocalName {

  private static volatile String cached;

  private LocalName() {}

  static String get(String configured) {
    if (configured != null) {
      return configured;
    }
    String name = cached;
    if (name == null) {
      name = lookUp();
      cached = name;
    }
    return name;
  }

  private static String lookUp() {
    try {
      InetAddress local = InetAddress.getLocalHost();
      String host = local.getCanonicalHostName();
      if (host != null && !host.isBlank() && !host.equals(local.getHostAddress())) {
        return host;
      }
      String address = local.getHostAddress();
      return address.contains(":") ? "[IPv6:" + address + "]" : "[" + address + "]";
    } catch (UnknownHostException e) {
      return "[127.0.0.1]";
    }
  }
}
