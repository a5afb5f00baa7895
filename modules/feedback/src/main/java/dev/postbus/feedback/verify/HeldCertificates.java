package dev.postbus.feedback.verify;

import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SNS signing certificates held, by URL (its {@link SigningCertificates#key}, one for all its
 * spellings): those that verified a message ({@link #MAX_VERIFIED}) apart from those fetched that
 * verified none yet ({@link #MAX_PENDING}, least recently used forgotten first), which can never
 * push one that verified out.
 */
final class HeldCertificates implements CertificateFetches.Kept {

  /** Certificates that verified a message. */
  static final int MAX_VERIFIED = 64;

  /** Certificates fetched that verified no message yet: the latest ones used. */
  static final int MAX_PENDING = 16;

  /** Certificates that verified a message, by URL. */
  private final Map<String, X509Certificate> verified = new ConcurrentHashMap<>();

  /** Certificates fetched that verified none yet, by URL, least recently used first. */
  private final Map<String, X509Certificate> pending =
      Collections.synchronizedMap(
          new LinkedHashMap<>(MAX_PENDING * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, X509Certificate> eldest) {
              return size() > MAX_PENDING;
            }
          });

  /** The certificate at {@code url} that verified a message, or null: no lock taken. */
  X509Certificate verified(String url) {
    return verified.get(url);
  }

  /**
   * The certificate at {@code url}, verified or pending, or null. Pending first: {@link
   * #verifiedBy} adds to the verified before it takes from the pending, so a certificate moving
   * between them is found in one or the other.
   */
  @Override
  public X509Certificate get(String url) {
    X509Certificate cert = pending.get(url);
    return cert != null ? cert : verified.get(url);
  }

  /** Keeps a certificate just fetched, as pending. */
  @Override
  public void put(String url, X509Certificate cert) {
    pending.put(url, cert);
  }

  /** Keeps {@code cert}, which verified a message, for good. */
  void verifiedBy(String url, X509Certificate cert) {
    if (!verified.containsKey(url)) {
      if (verified.size() >= MAX_VERIFIED) {
        verified.clear(); // only certificates that verified a message get here
      }
      verified.put(url, cert);
      pending.remove(url);
    }
  }
}
