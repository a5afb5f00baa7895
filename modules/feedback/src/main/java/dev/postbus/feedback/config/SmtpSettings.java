package dev.postbus.feedback.config;

import dev.postbus.job.VerpToken;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The SMTP listener of {@code postbus feedback}: where it listens, the domain it takes mail for,
 * the largest message, and the optional VERP domain and key. Built by {@link Builder#build}, which
 * refuses a bad or half-set configuration naming the key.
 *
 * @param port 0 for any free port
 * @param returnPathDomain null without VERP
 * @param verpKey null without VERP; never shown by {@link #toString}
 * @param verpPreviousKey the key before a rotation, checked too; null when none; never shown
 */
public record SmtpSettings(
    int port,
    String bounceDomain,
    int maxMessage,
    String returnPathDomain,
    String verpKey,
    String verpPreviousKey) {

  public static final int DEFAULT_MAX_MESSAGE = 10 * 1024 * 1024;

  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  public SmtpSettings {
    Objects.requireNonNull(bounceDomain, "bounceDomain");
  }

  /** The checker of VERP tokens (the current key, then the previous one); null without VERP. */
  public VerpToken verpToken() {
    return verp() ? new VerpToken(verpKey, verpPreviousKey) : null;
  }

  /** Whether a VERP return path is checked. */
  public boolean verp() {
    return returnPathDomain != null;
  }

  @Override
  public String toString() {
    return "port "
        + port
        + " for "
        + bounceDomain
        + (verp() ? ", VERP " + returnPathDomain + " (key set)" : "")
        + (verpPreviousKey != null ? " (previous key set)" : "");
  }

  /** Collects the keys; {@link #build} returns null when the listener is off. */
  public static final class Builder {
    private Integer port;
    private String bounceDomain;
    private int maxMessage = DEFAULT_MAX_MESSAGE;
    private String returnPathDomain;
    private String verpKey;
    private String verpPreviousKey;

    void set(FeedbackKey key, String text) {
      if (key == FeedbackKeys.SMTP_PORT) {
        port(Values.integer(key, text, 0, 65535));
      } else if (key == FeedbackKeys.BOUNCE_DOMAIN) {
        bounceDomain(text);
      } else if (key == FeedbackKeys.SMTP_MAX_MESSAGE) {
        maxMessage = Values.integer(key, text, 16 * 1024, 64 * 1024 * 1024);
      } else if (key == FeedbackKeys.RETURN_PATH_DOMAIN) {
        returnPathDomain(text);
      } else if (key == FeedbackKeys.VERP_KEY_FILE) {
        verpKeyFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.VERP_PREVIOUS_KEY_FILE) {
        verpPreviousKeyFile(Path.of(text.strip()));
      } else {
        throw new IllegalArgumentException(key.name() + ": not an SMTP listener key");
      }
    }

    /** 0: any free port. */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw Values.bad(FeedbackKeys.SMTP_PORT, "0 to 65535", Integer.toString(value));
      }
      this.port = value;
      return this;
    }

    public Builder bounceDomain(String value) {
      this.bounceDomain = domain(FeedbackKeys.BOUNCE_DOMAIN, value);
      return this;
    }

    public Builder maxMessage(int bytes) {
      set(FeedbackKeys.SMTP_MAX_MESSAGE, Integer.toString(bytes));
      return this;
    }

    public Builder returnPathDomain(String value) {
      this.returnPathDomain = domain(FeedbackKeys.RETURN_PATH_DOMAIN, value);
      return this;
    }

    public Builder verpKeyFile(Path file) {
      this.verpKey = Values.secretFile(FeedbackKeys.VERP_KEY_FILE, file, 32);
      return this;
    }

    public Builder verpPreviousKeyFile(Path file) {
      this.verpPreviousKey = Values.secretFile(FeedbackKeys.VERP_PREVIOUS_KEY_FILE, file, 32);
      return this;
    }

    SmtpSettings build() {
      if (verpPreviousKey != null && verpKey == null) {
        throw new IllegalArgumentException(
            FeedbackKeys.VERP_KEY_FILE.name()
                + ": required with "
                + FeedbackKeys.VERP_PREVIOUS_KEY_FILE.name());
      }
      if ((returnPathDomain == null) != (verpKey == null)) {
        FeedbackKey missing =
            returnPathDomain == null ? FeedbackKeys.RETURN_PATH_DOMAIN : FeedbackKeys.VERP_KEY_FILE;
        throw new IllegalArgumentException(
            missing.name() + ": required with " + other(missing).name());
      }
      if (port == null) {
        if (bounceDomain != null || returnPathDomain != null) {
          throw new IllegalArgumentException(
              FeedbackKeys.SMTP_PORT.name()
                  + ": required with "
                  + (bounceDomain != null
                          ? FeedbackKeys.BOUNCE_DOMAIN
                          : FeedbackKeys.RETURN_PATH_DOMAIN)
                      .name());
        }
        return null;
      }
      if (bounceDomain == null) {
        throw new IllegalArgumentException(
            FeedbackKeys.BOUNCE_DOMAIN.name() + ": required with " + FeedbackKeys.SMTP_PORT.name());
      }
      return new SmtpSettings(
          port, bounceDomain, maxMessage, returnPathDomain, verpKey, verpPreviousKey);
    }

    private static FeedbackKey other(FeedbackKey key) {
      return key == FeedbackKeys.RETURN_PATH_DOMAIN
          ? FeedbackKeys.VERP_KEY_FILE
          : FeedbackKeys.RETURN_PATH_DOMAIN;
    }

    private static String domain(FeedbackKey key, String text) {
      String d = text.strip().toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(d).matches()) {
        throw Values.bad(key, key.allowed(), text);
      }
      return d;
    }
  }
}
