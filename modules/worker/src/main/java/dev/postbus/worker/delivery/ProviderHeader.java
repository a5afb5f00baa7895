package dev.postbus.worker.delivery;

import dev.postbus.worker.config.Provider;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

/**
 * The provider metadata header of one message ({@link Provider}), set for the relay the message
 * goes to, and switched when it goes to a relay of another provider instead (failover): the header
 * of the previous one is taken off again, the job's own value put back. A job that sets the
 * provider's header itself keeps its own values but never its own job id: ours always wins ({@link
 * OwnMetadata}); Postmark's {@code X-PM-Metadata-postbus-job} is Postbus's alone (removed even when
 * the id is too long for Postmark). Used on the lane's thread.
 */
final class ProviderHeader {

  private final MimeMessage mime;
  private final String jobId;

  /** The provider whose header is on the message, or NONE. */
  private Provider applied = Provider.NONE;

  /** The job's own value of {@code applied}'s header, put back when another provider comes. */
  private String jobsOwn;

  ProviderHeader(MimeMessage mime, String jobId) {
    this.mime = mime;
    this.jobId = jobId;
  }

  /** Sets the header {@code provider} reads (nothing for NONE); no work when already so. */
  void setFor(Provider provider) throws MessagingException {
    if (provider == applied) {
      return;
    }
    takeOff();
    if (provider == Provider.NONE) {
      return;
    }
    String own = mime.getHeader(provider.header(), null);
    String value = provider.value(jobId);
    if (value == null && (own == null || provider != Provider.POSTMARK)) {
      return; // an id this provider cannot carry
    }
    if (value == null) {
      mime.removeHeader(provider.header()); // the job's own postbus-job metadata is never sent
    } else {
      mime.setHeader(provider.header(), own == null ? value : merged(provider, own, value));
    }
    applied = provider;
    jobsOwn = own;
  }

  /**
   * The job's own value with ours in, folded; ours alone unless it is printable ASCII (a character
   * above 0x7E is written as its low byte: U+010D U+010A would start a header line of the job's).
   */
  private String merged(Provider provider, String own, String ours) {
    String merged = OwnMetadata.merge(provider, own, jobId, ours);
    if (!merged.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7F)) {
      return ours;
    }
    return MimeUtility.fold(provider.header().length() + 2, merged);
  }

  private void takeOff() throws MessagingException {
    if (applied == Provider.NONE) {
      return;
    }
    if (jobsOwn == null) {
      mime.removeHeader(applied.header());
    } else {
      mime.setHeader(applied.header(), jobsOwn);
    }
    applied = Provider.NONE;
    jobsOwn = null;
  }
}
