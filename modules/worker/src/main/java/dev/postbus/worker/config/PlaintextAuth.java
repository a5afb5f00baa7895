package dev.postbus.worker.config;

import java.util.Locale;

/** Whether credentials may go over a session without TLS (smtp.auth-over-plaintext). */
public enum PlaintextAuth {
  /** Never: a relay whose session is not encrypted is refused before AUTH. */
  REFUSE,
  /** Only for a lab relay: logged as a warning on every such login. */
  ALLOW;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
