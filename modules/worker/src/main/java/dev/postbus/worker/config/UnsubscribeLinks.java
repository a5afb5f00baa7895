package dev.postbus.worker.config;

import dev.postbus.job.UnsubscribeToken;
import java.util.Objects;

/**
 * The one-click unsubscribe links the worker writes ({@code unsubscribe.base-url} and {@code
 * feedback.unsubscribe-key-file}): {@code <baseUrl>/u/<token>}, the token made by the {@link
 * UnsubscribeToken} the receiver checks. {@link #toString} never shows the key.
 */
public record UnsubscribeLinks(String baseUrl, UnsubscribeToken token) {

  public UnsubscribeLinks {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(token, "token");
  }

  /** The link for {@code address} to leave {@code list}, sent in job {@code jobId}. */
  public String url(String list, String address, String jobId) {
    return baseUrl + "/u/" + token.token(list, address, jobId);
  }

  @Override
  public String toString() {
    return baseUrl + "/u/<token> (key set)";
  }
}
