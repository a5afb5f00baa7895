package dev.postbus.console;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What every request passes first: without a password, a loopback {@code Host} (DNS rebinding); on
 * every POST, the page's own {@code Origin}, on every other request no other site's or port's fetch
 * or frame, only a link opened in the window ({@link Origins}, then answered without reading Kafka:
 * {@link Arrivals}); the password when one is set (HTTP Basic, any user name), the security headers
 * (a Content-Security-Policy without inline scripts, no framing, no sniffing), and the CSRF token
 * of a state-changing request (a double-submit cookie: the form's hidden field must equal the
 * cookie, which another site can neither read nor set, nor replace by sending the operator's
 * browser here: a page answered without reading Kafka sets no cookie).
 */
final class Guard {

  static final String CSRF_COOKIE = "postbus_csrf";
  static final String CSRF_FIELD = "csrf";
  private static final String CSRF_ATTRIBUTE = "csrf";

  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none';"
          + " form-action 'self'";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] password;
  private final java.util.List<String> hostNames;

  /**
   * @param password null when none is required
   * @param hostNames names besides loopback ones answered without a password
   */
  Guard(String password, java.util.List<String> hostNames) {
    this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
    this.hostNames = hostNames;
  }

  void before(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "same-origin"); // none to other sites; the own Origin on a POST
    ctx.header("Cache-Control", "no-store");
    if (password == null) {
      Origins.requireKnownHost(ctx, hostNames);
    }
    if (ctx.method() == HandlerType.POST) {
      Origins.requireSameOrigin(ctx);
    } else {
      Origins.refuseCrossSiteFetch(ctx); // before any page reads Kafka
    }
    if (password != null) {
      var credentials = ctx.basicAuthCredentials();
      if (credentials == null
          || !MessageDigest.isEqual(
              password, credentials.getPassword().getBytes(StandardCharsets.UTF_8))) {
        ctx.header("WWW-Authenticate", "Basic realm=\"postbus console\", charset=\"UTF-8\"");
        throw new UnauthorizedResponse("the console needs its password");
      }
    }
    String token = ctx.cookie(CSRF_COOKIE);
    if (answeredWithoutReading(ctx)) {
      ctx.attribute(CSRF_ATTRIBUTE, token); // no form there; the operator's cookie stays as it is
      return;
    }
    if (token == null || token.length() < 20) {
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      ctx.header("Set-Cookie", CSRF_COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    }
    ctx.attribute(CSRF_ATTRIBUTE, token);
  }

  /**
   * True for a GET {@link Arrivals} answers without reading Kafka (a navigation from another site
   * or port, a page loaded ahead): no token is minted for it, since a new cookie set in reply to
   * such a navigation would replace the operator's, and the form of a page already open (a replay
   * preview) would then be refused. Such a request carries no {@code SameSite=Strict} cookie to
   * keep.
   */
  private static boolean answeredWithoutReading(Context ctx) {
    return ctx.method() != HandlerType.POST
        && (Origins.loadedAhead(ctx) || Origins.fromElsewhere(ctx));
  }

  /** The token this page's forms carry. */
  static String token(Context ctx) {
    return ctx.attribute(CSRF_ATTRIBUTE);
  }

  /** Refuses a state-changing request whose form does not carry the cookie's token. */
  static void requireToken(Context ctx) {
    String cookie = ctx.cookie(CSRF_COOKIE);
    String field = ctx.formParam(CSRF_FIELD);
    if (cookie == null
        || field == null
        || !MessageDigest.isEqual(
            cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8))) {
      throw new ForbiddenResponse(
          "missing or wrong CSRF token: reload the page and submit the form again");
    }
  }
}
