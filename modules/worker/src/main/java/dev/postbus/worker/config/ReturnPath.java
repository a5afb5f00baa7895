package dev.postbus.worker.config;

import dev.postbus.job.VerpToken;
import java.util.Objects;

/**
 * The VERP return path the worker sends with ({@code feedback.return-path-domain} and {@code
 * feedback.verp-key-file}, the keys {@code postbus feedback} reads too): the envelope sender of a
 * job sent to a plain MTA is {@code bounces+<token>@<domain>}, the token made by the {@link
 * VerpToken} the receiver checks. {@link #toString} never shows the key.
 */
public record ReturnPath(String domain, VerpToken token) {

  public ReturnPath {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(token, "token");
  }

  /** The envelope sender of a job, or null when it would exceed RFC 5321's limits. */
  public String address(String jobId) {
    return token.address(jobId, domain);
  }

  @Override
  public String toString() {
    return "bounces+<token>@" + domain + " (key set)";
  }
}
