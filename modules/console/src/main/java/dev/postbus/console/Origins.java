package dev.postbus.console;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is asking, as the browser says it. A console without a password answers only to a loopback
 * {@code Host} ({@code 127.0.0.1}, {@code localhost}, {@code [::1]}, with any port: a forwarded one
 * such as {@code kubectl port-forward 9090:8080} or {@code docker -p} differs), or a name it was
 * given ({@code console.host-names}, a reverse proxy's public name): a hostile page whose name was
 * rebound to 127.0.0.1 sends its own name and is refused (DNS rebinding). A POST must come from the
 * console's own pages: its {@code Origin}, when sent, names the same host and port as {@code Host};
 * without one, {@code Sec-Fetch-Site} must not say another site. (A client that sends neither is
 * not a browser, so not a hostile page in one; it still needs the CSRF token.)
 */
final class Origins {

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private Origins() {}

  static void requireKnownHost(Context ctx, List<String> names) {
    String host = ctx.header("Host");
    if (!loopback(host) && !named(host, names)) {
      throw new ForbiddenResponse(
          "Host "
              + (host == null ? "(none)" : "'" + host + "'")
              + " refused: without a password this console answers only to 127.0.0.1, localhost"
              + " or [::1], on any port (a page whose name points at this machine is not it)."
              + " To serve another name, give it a password (--password-file) or name it"
              + " (--host-name, "
              + ConsoleConfig.HOST_NAMES_KEY
              + ")");
    }
  }

  static void requireSameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    String site = ctx.header("Sec-Fetch-Site");
    boolean opaque = origin != null && origin.strip().equals("null");
    if (origin != null && !opaque) {
      if (!sameAuthority(origin, ctx.header("Host"))) {
        throw new ForbiddenResponse(
            "Origin of this request is not the console's own pages: refused (a change must be"
                + " submitted from the console; behind a proxy, forward the Host header)");
      }
    } else if (site != null) {
      if (!site.equals("same-origin") && !site.equals("none")) {
        throw new ForbiddenResponse(
            "Origin: this request comes from another site (Sec-Fetch-Site: " + site + "): refused");
      }
    } else if (opaque) {
      throw new ForbiddenResponse(
          "Origin: null (an opaque origin) and no Sec-Fetch-Site: refused; submit from the console");
    }
  }

  /**
   * Refuses a GET another site's page makes ({@code Sec-Fetch-Site: cross-site}) or a page on
   * another port of this machine's name makes ({@code same-site}): an image, a script, a fetch, a
   * frame. Each would keep the console reading Kafka for a stranger (a hidden frame too: the
   * browser refuses to show it only after the console answered). Only a top-level navigation gets
   * through, a link followed into the window: {@code Sec-Fetch-Mode: navigate} and {@code
   * Sec-Fetch-Dest: document}; {@link Arrivals} answers it without reading Kafka. A navigate
   * without {@code Sec-Fetch-Dest} is refused: browsers send it beside {@code Sec-Fetch-Site}
   * (Chromium since 80, Firefox since 90, Safari since 16.4; only Chromium 76 to 79 sent the site
   * alone, and there a link from another site is refused: open the console directly). A request
   * without {@code Sec-Fetch-Site} is not checked here (an older browser, a script, curl).
   */
  static void refuseCrossSiteFetch(Context ctx) {
    String site = token(ctx.header("Sec-Fetch-Site"));
    if (!site.equals("cross-site") && !site.equals("same-site")) {
      return;
    }
    if (!token(ctx.header("Sec-Fetch-Mode")).equals("navigate")
        || !token(ctx.header("Sec-Fetch-Dest")).equals("document")) {
      throw new ForbiddenResponse(
          "Sec-Fetch-Site: "
              + site
              + ": a page of another site or port asked for this (a frame, an image, a script,"
              + " a fetch; not a link opened in the window): refused; open the console directly");
    }
  }

  /**
   * True for a navigation another site's page or a page on another port of this machine started
   * ({@code Sec-Fetch-Site: cross-site} or {@code same-site}); the only such GET {@link
   * #refuseCrossSiteFetch} lets through is a top-level one. False for the console's own pages
   * ({@code same-origin}), an address typed or bookmarked ({@code none}) and a request without
   * {@code Sec-Fetch-Site}.
   */
  static boolean fromElsewhere(Context ctx) {
    String site = token(ctx.header("Sec-Fetch-Site"));
    return site.equals("cross-site") || site.equals("same-site");
  }

  /**
   * True for a page loaded ahead, in case it is opened: {@code Sec-Purpose} (Chromium's speculation
   * rules and address bar, Firefox's link prefetch) or the older {@code Purpose} naming {@code
   * prefetch} or {@code prerender} ({@code prefetch;prerender}, {@code
   * prefetch;anonymous-client-ip}).
   */
  static boolean loadedAhead(Context ctx) {
    return namesPrefetch(ctx.header("Sec-Purpose")) || namesPrefetch(ctx.header("Purpose"));
  }

  private static boolean namesPrefetch(String value) {
    for (String word : token(value).split("[;,\\s]+")) {
      if (word.equals("prefetch") || word.equals("prerender")) {
        return true;
      }
    }
    return false;
  }

  /** A Sec-Fetch header's value, trimmed and in lower case; "" when not sent. */
  private static String token(String value) {
    return value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
  }

  private static boolean named(String host, List<String> names) {
    if (host == null) {
      return false;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    return names.stream()
        .map(n -> n.toLowerCase(Locale.ROOT))
        .anyMatch(n -> h.equals(n) || (!n.contains(":") && h.startsWith(n + ":")));
  }

  /** True for a loopback name, with or without a port (any port: the name is what is checked). */
  static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.strip().toLowerCase(Locale.ROOT);
    int colon = h.lastIndexOf(':');
    if (colon > h.lastIndexOf(']')) {
      if (!PORT.matcher(h.substring(colon + 1)).matches()) {
        return false;
      }
      h = h.substring(0, colon);
    }
    return LOOPBACK.contains(h);
  }

  /**
   * True when the origin's host and port are those of {@code Host} (a default port may be left
   * out).
   */
  static boolean sameAuthority(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      URI o = URI.create(origin.strip());
      if (o.getScheme() == null || o.getHost() == null) {
        return false; // "null", an opaque origin
      }
      String expected = host.strip().toLowerCase(Locale.ROOT);
      String bare = o.getHost().toLowerCase(Locale.ROOT);
      String withPort = o.getPort() < 0 ? bare : bare + ":" + o.getPort();
      int defaultPort = "https".equalsIgnoreCase(o.getScheme()) ? 443 : 80;
      return expected.equals(withPort)
          || (o.getPort() < 0 && expected.equals(bare + ":" + defaultPort))
          || (o.getPort() == defaultPort && expected.equals(bare));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
