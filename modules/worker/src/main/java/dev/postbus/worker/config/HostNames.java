package dev.postbus.worker.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The shapes of the names configuration gives: a relay's host, the EHLO name, a Kafka topic. Each
 * refuses spaces and control characters: a host or EHLO name is written into SMTP commands as it is
 * ({@code mx\r\nRSET} would send two).
 */
final class HostNames {

  /** Kafka's longest topic name. */
  static final int MAX_TOPIC = 249;

  private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  private static final Pattern DOMAIN = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
  private static final Pattern IPV4 =
      Pattern.compile(
          "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
              + "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1," + MAX_TOPIC + "}");

  private HostNames() {}

  /** A host name (letters, digits, hyphens, dots), an IPv4 address or a bare IPv6 address. */
  static boolean isHost(String s) {
    return isDomain(s) || isIpv6(s);
  }

  /** A domain, or an address literal: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}. */
  static boolean isHeloName(String s) {
    if (s.startsWith("[IPv6:") && s.endsWith("]")) {
      return isIpv6(s.substring(6, s.length() - 1));
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      return IPV4.matcher(s.substring(1, s.length() - 1)).matches();
    }
    return isDomain(s);
  }

  /** What Kafka accepts as a topic name. */
  static boolean isTopic(String s) {
    return TOPIC.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }

  /** {@code value} when {@code ok}, else the refusal that {@link Settings} reports for the key. */
  static String require(String value, boolean ok) {
    if (!ok) {
      throw new IllegalArgumentException();
    }
    return value;
  }

  private static boolean isDomain(String s) {
    return s.length() <= 253 && DOMAIN.matcher(s).matches();
  }

  private static boolean isIpv6(String s) {
    if (!IPV6_CHARS.matcher(s).matches() || s.indexOf(':') == s.lastIndexOf(':')) {
      return false; // one colon at most: not IPv6 (host:port, most likely)
    }
    try {
      return InetAddress.getByName(s).getAddress().length == 16; // a literal: no DNS look-up
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
