package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Refusal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a loopback caller of {@code postbus dev}'s {@code /feedback/generic}, which needs no
 * token, is a program on this machine rather than a web page in its browser. A page can send a
 * cross-origin "simple" POST (text/plain, a form, or a body with no type) without asking first, or
 * reach the port through a name of its own rebound to 127.0.0.1. So: an Origin, when sent, must be
 * of this machine; the Host must be; and the body must be declared {@code application/json}, which
 * a page can send cross-origin only after a CORS preflight, never granted here. Else 403.
 */
final class DevLoopbackPolicy {

  private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+");

  private DevLoopbackPolicy() {}

  static void check(Request request) {
    String origin = request.header("Origin");
    if (origin != null && !loopbackOrigin(origin)) {
      throw Refusal.forbidden("origin", "Origin: not of this machine (postbus dev, no token)");
    }
    if (!loopbackHost(hostOf(request.header("Host")))) {
      throw Refusal.forbidden("host", "Host: not of this machine (postbus dev, no token)");
    }
    if (!json(request.header("Content-Type"))) {
      throw Refusal.forbidden(
          "content-type", "Content-Type: must be application/json (postbus dev, no token)");
    }
  }

  private static boolean loopbackOrigin(String origin) {
    try {
      URI uri = new URI(origin.strip());
      String scheme = uri.getScheme();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && loopbackHost(uri.getHost());
    } catch (URISyntaxException e) {
      return false; // "null", or not a URL
    }
  }

  /** The host of a Host header ({@code name}, {@code name:port}, {@code [v6]:port}), or null. */
  static String hostOf(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && colon != h.lastIndexOf(':')) {
      return null; // an IPv6 literal without brackets is not a Host
    }
    return colon < 0 ? h : h.substring(0, colon);
  }

  /** localhost (and names under it), 127.x.y.z, or an IPv6 loopback literal; never a lookup. */
  static boolean loopbackHost(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (IPV4_LOOPBACK.matcher(h).matches()) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      String literal = h.substring(1, h.length() - 1);
      if (IPV6_LITERAL.matcher(literal).matches() && literal.contains(":")) {
        try {
          return InetAddress.getByName(literal).isLoopbackAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean json(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().equalsIgnoreCase("application/json");
  }
}
