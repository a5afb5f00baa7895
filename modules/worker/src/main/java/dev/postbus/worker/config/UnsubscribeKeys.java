package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * The keys of one-click unsubscribe (RFC 8058): where the links point and the key that signs them
 * (the same file as {@code postbus feedback}'s, which answers the links). Every key is also listed,
 * in the order of the configuration reference, in {@link Keys#ALL}.
 */
public final class UnsubscribeKeys {

  private UnsubscribeKeys() {}

  /** The longest base URL: a link with the longest token still fits a 998-octet header line. */
  public static final int MAX_BASE_URL = 200;

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+");

  public static final ConfigKey<String> BASE_URL =
      ConfigKey.of(
          "unsubscribe.base-url",
          FREQUENT,
          new ValueType<>(
              "url",
              "an https:// URL without query or fragment, at most " + MAX_BASE_URL + " characters",
              UnsubscribeKeys::baseUrl),
          null,
          "Where postbus feedback answers one-click unsubscribe links, as the public load balancer"
              + " shows it (https://mail.example.com, or with a path prefix): a job with"
              + " unsubscribe gets List-Unsubscribe: <this URL/u/TOKEN> and List-Unsubscribe-Post:"
              + " List-Unsubscribe=One-Click. Needs feedback.unsubscribe-key-file. Unset, a job"
              + " with unsubscribe is dead-lettered as poison naming this key (nothing goes out"
              + " without its link); replay it once the key is set (docs/feedback.md).");

  public static final ConfigKey<String> KEY_FILE =
      ConfigKey.of(
          "feedback.unsubscribe-key-file",
          FREQUENT,
          ValueType.nonEmpty(),
          null,
          "File holding the HMAC key of unsubscribe links, at least "
              + dev.postbus.job.UnsubscribeToken.MIN_KEY_LENGTH
              + " characters (trailing newline ignored): the same file as postbus feedback's."
              + " Read at start-up. Needs unsubscribe.base-url. The worker signs with this key"
              + " only; the receiver's feedback.unsubscribe-previous-key-file is for rotations.");

  private static String baseUrl(String s) {
    String url = s.strip();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    URI uri = URI.create(url);
    if (!"https".equals(uri.getScheme())
        || uri.getHost() == null
        || !HOST.matcher(uri.getHost()).matches()
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null
        || url.length() > MAX_BASE_URL
        || !url.chars().allMatch(c -> c > 32 && c < 127 && c != '<' && c != '>')) {
      throw new IllegalArgumentException();
    }
    return url;
  }
}
