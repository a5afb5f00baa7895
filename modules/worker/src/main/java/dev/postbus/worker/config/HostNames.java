package dev.postbus.worker.config;

import dev.postbus.smtp.SmtpConfig;
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

  /** A DNS label, underscores allowed: a Docker Compose service name (smtp_relay) resolves. */
  private static final String LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";

  /** Labels with dots between them, and at most one final dot (a fully qualified name). */
  private static final Pattern DOMAIN = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*\\.?");

  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** An IPv6 zone: an interface's name or number. */
  private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1," + MAX_TOPIC + "}");

  private HostNames() {}

  /**
   * A host name (letters, digits, hyphens, underscores, dots; one final dot allowed), an IPv4
   * address, or an IPv6 address (a zone allowed), bare or in brackets ({@code [::1]}). No port, no
   * empty label.
   */
  static boolean isHost(String s) {
    if (s.startsWith("[") && s.endsWith("]")) {
      return isIpv6(s.substring(1, s.length() - 1));
    }
    return isDomain(s) || isIpv6(s);
  }

  /**
   * The EHLO name: sent as given, so it has to stay one word of one command line in ASCII:
   * printable ASCII without white space, {@code <} or {@code >}, at most 255 characters ({@link
   * SmtpConfig#isHeloName}). A non-ASCII domain is given in its IDNA form. A relay that dislikes it
   * answers 501.
   */
  static boolean isHeloName(String s) {
    return SmtpConfig.isHeloName(s);
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
    return s.length() <= (s.endsWith(".") ? 254 : 253) && DOMAIN.matcher(s).matches();
  }

  /**
   * An IPv6 address, with a zone ({@code fe80::1%eth0}) or IPv4-mapped ({@code ::ffff:192.0.2.1},
   * which Java reads as an IPv4 address): both resolved before, and are accepted.
   */
  private static boolean isIpv6(String s) {
    int percent = s.indexOf('%');
    String address = percent < 0 ? s : s.substring(0, percent);
    if (percent >= 0 && !ZONE.matcher(s.substring(percent + 1)).matches()) {
      return false;
    }
    if (!IPV6_CHARS.matcher(address).matches()
        || address.indexOf(':') == address.lastIndexOf(':')) {
      return false; // one colon at most: not IPv6 (host:port, most likely)
    }
    try {
      InetAddress.getByName(address); // a literal (it has a colon): no DNS look-up
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
