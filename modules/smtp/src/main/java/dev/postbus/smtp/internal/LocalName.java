package dev.postbus.smtp.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The name sent in EHLO: smtp.helo-name, or this host's name (looked up once) when it is a host
 * name of ASCII letters, digits, hyphens, underscores and dots, else its address literal ({@code
 * [192.0.2.1]}, {@code [IPv6:...]}), else {@code localhost}.
 */
final class LocalName {

  /** A DNS label, underscores allowed (a container's name may have one). */
  private static final String LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";

  private static final Pattern HOST = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*\\.?");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

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
      return chosen(local.getCanonicalHostName(), local.getHostAddress());
    } catch (UnknownHostException e) {
      return "[127.0.0.1]";
    }
  }

  /** The name to send for a looked-up {@code host} name and {@code address}. */
  static String chosen(String host, String address) {
    if (host != null
        && !host.equals(address)
        && host.length() <= 253
        && HOST.matcher(host).matches()
        && !IPV4.matcher(host).matches()) {
      return host;
    }
    String bare = address == null ? "" : address.replaceFirst("%.*", ""); // no zone in a literal
    if (IPV4.matcher(bare).matches()) {
      return "[" + bare + "]";
    }
    if (IPV6.matcher(bare).matches() && bare.contains(":")) {
      return "[IPv6:" + bare + "]";
    }
    return "localhost";
  }
}
