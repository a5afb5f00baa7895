package dev.postbus.worker.config;

import java.util.Locale;

/** Whether the worker uses an SMTP extension the relay offers (smtp.pipelining, smtp.chunking). */
public enum ExtensionUse {
  /** Use it when the relay's EHLO reply offers it. */
  AUTO,
  /** Never use it, even when offered (for a relay that offers it and gets it wrong). */
  OFF;

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
