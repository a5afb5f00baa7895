package dev.postbus.feedback.receive;

/**
 * The page {@code GET /u/<token>} shows: one sentence and a button whose form posts {@code
 * List-Unsubscribe=One-Click} to the same URL (no action attribute: it works behind any path
 * prefix). No script, no cookie, no address shown; the list name is safe in HTML as it is (a-z 0-9
 * . _ -).
 */
final class UnsubscribePage {

  private UnsubscribePage() {}

  /** The headers every answer of {@code /u/} carries: no caching, no framing, nothing loaded. */
  static final java.util.Map<String, String> HEADERS =
      java.util.Map.of(
          "Cache-Control", "no-store",
          "Referrer-Policy", "no-referrer",
          "X-Robots-Tag", "noindex",
          "X-Content-Type-Options", "nosniff",
          "Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                  + " frame-ancestors 'none'");

  static String html(String list) {
    return "<!doctype html>\n"
        + "<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width\">"
        + "<title>Unsubscribe</title></head>\n"
        + "<body style=\"font-family:sans-serif;max-width:30em;margin:3em auto\">\n"
        + "<p>Stop receiving <strong>"
        + list
        + "</strong>? Other mail from us, such as receipts and password resets, still comes.</p>\n"
        + "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\""
        + " value=\"One-Click\"><button type=\"submit\">Unsubscribe</button></form>\n"
        + "</body></html>\n";
  }
}
