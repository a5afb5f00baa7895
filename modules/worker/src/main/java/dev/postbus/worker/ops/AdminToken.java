package dev.postbus.worker.ops;

import dev.postbus.worker.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Who may call the ops server's {@code /admin/*} ({@code postbus resume}): whoever sends {@code
 * Authorization: Bearer <token>} with the token of {@code http.admin-token-file}, compared in
 * constant time. The file is read at each call (a rotated secret is picked up) and once at start-up
 * (a missing or short one stops the worker, naming the key). Without the key every admin call is
 * refused, saying which key to set.
 */
public final class AdminToken {

  static final String KEY = "http.admin-token-file";
  static final int SHORTEST = 16;

  /** Why a call is refused: its HTTP status and a JSON body. */
  public record Refusal(int status, String json) {}

  private final Path file;

  private AdminToken(Path file) {
    this.file = file;
  }

  /** {@code file}: null when the key is not set. */
  public static AdminToken of(String file) {
    AdminToken t = new AdminToken(file == null ? null : Path.of(file));
    if (t.file != null) {
      t.read();
    }
    return t;
  }

  /** Null when the call may go on; else why not. */
  public Refusal check(String authorization) {
    if (file == null) {
      return new Refusal(
          403,
          "{\"error\":\"admin calls are off: set "
              + KEY
              + " (a file holding a token) on the worker and send it as 'Authorization: Bearer"
              + " <token>' (postbus resume --admin-token-file)\"}\n");
    }
    String given = bearerToken(authorization);
    if (given == null) {
      return new Refusal(
          401,
          "{\"error\":\"send the token of "
              + KEY
              + " as 'Authorization: Bearer <token>' (postbus resume --admin-token-file)\"}\n");
    }
    byte[] expected;
    try {
      expected = read();
    } catch (ConfigException e) {
      return new Refusal(503, "{\"error\":\"cannot read the worker's " + KEY + "\"}\n");
    }
    return MessageDigest.isEqual(given.getBytes(UTF8), expected)
        ? null
        : new Refusal(403, "{\"error\":\"wrong token for /admin (" + KEY + ")\"}\n");
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /**
   * The token of a {@code Bearer} credential, or null for another scheme (or none). The scheme is
   * matched in any case (RFC 7235), and space around it and the token is ignored.
   */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.strip();
    boolean bearer =
        a.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
            && (a.length() == SCHEME.length() || Character.isWhitespace(a.charAt(SCHEME.length())));
    return bearer ? a.substring(SCHEME.length()).strip() : null;
  }

  private static final String SCHEME = "Bearer";

  private byte[] read() {
    String token;
    try {
      token = Files.readString(file, UTF8).strip();
    } catch (IOException e) {
      throw new ConfigException(
          KEY + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (token.length() < SHORTEST) {
      throw new ConfigException(
          KEY + ": " + file + " holds fewer than " + SHORTEST + " characters; use a longer token");
    }
    return token.getBytes(UTF8);
  }
}
