package dev.postbus.feedback.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The receiver's settings: immutable, validated by {@link Builder#build} (a bad one stops start-up
 * with a message naming the key). Secrets are read from files and never shown by {@link #toString}.
 *
 * @param kafka client settings (bootstrap servers and any security settings)
 * @param topic the jobs topic: feedback goes to {@code <topic>.feedback}, suppressions to {@code
 *     <topic>.suppressions}
 * @param eventsTopic where bounced/complained events go, or null for none
 * @param sendgridKey null: /feedback/sendgrid refuses everything (and so on for each source)
 * @param devLoopbackGeneric {@code postbus dev} only: /feedback/generic takes loopback callers
 *     without a token
 * @param certificateHosts the host names SNS signing certificates and subscription URLs may come
 *     from; only tests change it
 * @param certificateTrust the TLS trust for fetching them (null: the JVM's); only tests set it
 * @param smtp the SMTP listener for DSNs and ARF complaints, or null for none
 * @param softBounceLimit transient bounces of one recipient within {@code softBounceWindow} that
 *     suppress it (0: never)
 * @param softBounceWindow how far back soft bounces count
 * @param softBounceMaxRecipients the most recipients whose soft bounces are kept
 * @param unsubscribe the checker of one-click unsubscribe links, or null: /u/ answers 404
 */
public record FeedbackConfig(
    Map<String, Object> kafka,
    String topic,
    String host,
    int port,
    List<String> sesTopicArns,
    PublicKey sendgridKey,
    String postmarkPassword,
    String mailgunSigningKey,
    String genericToken,
    String eventsTopic,
    int maxBody,
    Duration maxAge,
    Duration kafkaTimeout,
    int dedupeEntries,
    Duration dedupeWindow,
    boolean createTopics,
    int topicPartitions,
    short topicReplication,
    boolean devLoopbackGeneric,
    Pattern certificateHosts,
    SSLContext certificateTrust,
    SmtpSettings smtp,
    int softBounceLimit,
    Duration softBounceWindow,
    int softBounceMaxRecipients,
    dev.postbus.job.UnsubscribeToken unsubscribe) {

  /** {@code sns.<region>.amazonaws.com}: where AWS serves SNS signing certificates. */
  public static final Pattern SNS_HOSTS =
      Pattern.compile("sns\\.[a-z0-9-]{1,30}\\.amazonaws\\.com");

  private static final Pattern TOPIC_ARN =
      Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]{1,30}:\\d{12}:[A-Za-z0-9_.-]{1,256}");

  public FeedbackConfig {
    kafka = Map.copyOf(kafka);
    sesTopicArns = List.copyOf(sesTopicArns);
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(certificateHosts, "certificateHosts");
    Objects.requireNonNull(softBounceWindow, "softBounceWindow");
  }

  public String feedbackTopic() {
    return topic + ".feedback";
  }

  public String suppressionsTopic() {
    return topic + ".suppressions";
  }

  @Override
  public String toString() {
    return "FeedbackConfig[topic="
        + topic
        + ", host="
        + host
        + ", port="
        + port
        + ", ses="
        + sesTopicArns.size()
        + " topic(s), sendgrid="
        + (sendgridKey == null ? "off" : "on")
        + ", postmark="
        + (postmarkPassword == null ? "off" : "(password set)")
        + ", mailgun="
        + (mailgunSigningKey == null ? "off" : "(key set)")
        + ", generic="
        + (genericToken == null ? "off" : "(token set)")
        + (devLoopbackGeneric ? " (dev: loopback without token)" : "")
        + ", events="
        + eventsTopic
        + ", smtp="
        + (smtp == null ? "off" : smtp)
        + ", soft bounces="
        + (softBounceLimit == 0 ? "off" : softBounceLimit + " in " + softBounceWindow)
        + ", unsubscribe="
        + (unsubscribe == null ? "off" : unsubscribe)
        + "]";
  }

  public static Builder builder(Map<String, Object> kafka, String topic) {
    return new Builder(kafka, topic);
  }

  /** A builder holding every key given in {@code settings} (see {@link FeedbackSettings}). */
  public static Builder fromSettings(
      Map<String, Object> kafka, String topic, Map<String, String> settings) {
    Builder b = new Builder(kafka, topic);
    settings.forEach((name, value) -> b.set(name, value));
    return b;
  }

  /** Builds a {@link FeedbackConfig}; {@link #build} refuses a bad one, naming the key. */
  public static final class Builder {
    private final Map<String, Object> kafka;
    private final String topic;
    private String host = "127.0.0.1";
    private int port = 8090;
    private List<String> sesTopicArns = List.of();
    private PublicKey sendgridKey;
    private String postmarkPassword;
    private String mailgunSigningKey;
    private String genericToken;
    private String eventsTopic = "postbus.events";
    private int maxBody = 1024 * 1024;
    private Duration maxAge = Duration.ofHours(1);
    private Duration kafkaTimeout = Duration.ofSeconds(10);
    private int dedupeEntries = 100_000;
    private Duration dedupeWindow = Duration.ofHours(24);
    private boolean createTopics = true;
    private int topicPartitions = 6;
    private short topicReplication = 1;
    private boolean devLoopbackGeneric;
    private Pattern certificateHosts = SNS_HOSTS;
    private SSLContext certificateTrust;
    private final SmtpSettings.Builder smtp = new SmtpSettings.Builder();
    private int softBounceLimit = 3;
    private Duration softBounceWindow = Duration.ofDays(7);
    private int softBounceMaxRecipients = 300_000;
    private String unsubscribeKey;
    private String unsubscribePreviousKey;

    private Builder(Map<String, Object> kafka, String topic) {
      this.kafka = new HashMap<>(kafka);
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** One key by its name, as a file or the environment gives it. */
    Builder set(String name, String text) {
      FeedbackKey key =
          FeedbackKeys.ALL.stream()
              .filter(k -> k.name().equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException(name + ": unknown key"));
      if (key == FeedbackKeys.HOST) {
        host = text.strip();
      } else if (key == FeedbackKeys.PORT) {
        port = Values.integer(key, text, 0, 65535);
      } else if (key == FeedbackKeys.SES_TOPIC_ARNS) {
        sesTopicArns(
            Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
      } else if (key == FeedbackKeys.SENDGRID_PUBLIC_KEY) {
        sendgridPublicKey(text);
      } else if (key == FeedbackKeys.POSTMARK_PASSWORD_FILE) {
        postmarkPasswordFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.MAILGUN_SIGNING_KEY_FILE) {
        mailgunSigningKeyFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.GENERIC_TOKEN_FILE) {
        genericTokenFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.EVENTS_TOPIC) {
        eventsTopic(text.strip().equals("none") ? null : text.strip());
      } else if (key == FeedbackKeys.MAX_BODY) {
        maxBody = Values.integer(key, text, 1024, 16 * 1024 * 1024);
      } else if (key == FeedbackKeys.MAX_AGE) {
        maxAge = Values.duration(key, text, Duration.ofMinutes(1), Duration.ofDays(7));
      } else if (key == FeedbackKeys.KAFKA_TIMEOUT) {
        kafkaTimeout = Values.duration(key, text, Duration.ofSeconds(1), Duration.ofMinutes(2));
      } else if (key == FeedbackKeys.DEDUPE_ENTRIES) {
        dedupeEntries = Values.integer(key, text, 1000, 10_000_000);
      } else if (key == FeedbackKeys.DEDUPE_WINDOW) {
        dedupeWindow = Values.duration(key, text, Duration.ofMinutes(1), Duration.ofDays(7));
      } else if (key == FeedbackKeys.CREATE_TOPICS) {
        createTopics = Values.bool(key, text);
      } else if (key == FeedbackKeys.TOPIC_PARTITIONS) {
        topicPartitions = Values.integer(key, text, 1, 1000);
      } else if (key == FeedbackKeys.TOPIC_REPLICATION) {
        topicReplication = (short) Values.integer(key, text, 1, 10);
      } else if (key == FeedbackKeys.SOFT_BOUNCE_LIMIT) {
        softBounceLimit = Values.integer(key, text, 0, 100);
      } else if (key == FeedbackKeys.SOFT_BOUNCE_WINDOW) {
        softBounceWindow = Values.duration(key, text, Duration.ofHours(1), Duration.ofDays(30));
      } else if (key == FeedbackKeys.UNSUBSCRIBE_KEY_FILE) {
        unsubscribeKeyFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.UNSUBSCRIBE_PREVIOUS_KEY_FILE) {
        unsubscribePreviousKeyFile(Path.of(text.strip()));
      } else if (key == FeedbackKeys.SOFT_BOUNCE_MAX_RECIPIENTS) {
        softBounceMaxRecipients = Values.integer(key, text, 1000, 10_000_000);
      } else {
        smtp.set(key, text);
      }
      return this;
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    /** 0: any free port. */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw Values.bad(FeedbackKeys.PORT, "0 to 65535", Integer.toString(value));
      }
      this.port = value;
      return this;
    }

    public Builder sesTopicArns(List<String> arns) {
      for (String arn : arns) {
        if (!TOPIC_ARN.matcher(arn).matches()) {
          throw Values.bad(
              FeedbackKeys.SES_TOPIC_ARNS, "arn:aws:sns:<region>:<account>:<name>", arn);
        }
      }
      this.sesTopicArns = List.copyOf(arns);
      return this;
    }

    public Builder sendgridPublicKey(String base64) {
      try {
        this.sendgridKey =
            KeyFactory.getInstance("EC")
                .generatePublic(
                    new X509EncodedKeySpec(
                        java.util.Base64.getMimeDecoder().decode(base64.strip())));
      } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException(
            FeedbackKeys.SENDGRID_PUBLIC_KEY.name()
                + ": not a base64 EC public key (copy it from SendGrid's Mail Settings, Signed"
                + " Event Webhook Requests)");
      }
      return this;
    }

    public Builder postmarkPasswordFile(Path file) {
      this.postmarkPassword = Values.secretFile(FeedbackKeys.POSTMARK_PASSWORD_FILE, file, 16);
      return this;
    }

    public Builder mailgunSigningKeyFile(Path file) {
      this.mailgunSigningKey = Values.secretFile(FeedbackKeys.MAILGUN_SIGNING_KEY_FILE, file, 1);
      return this;
    }

    /** The key of one-click unsubscribe links (the workers' file). */
    public Builder unsubscribeKeyFile(Path file) {
      this.unsubscribeKey =
          Values.secretFile(
              FeedbackKeys.UNSUBSCRIBE_KEY_FILE,
              file,
              dev.postbus.job.UnsubscribeToken.MIN_KEY_LENGTH);
      return this;
    }

    /** The unsubscribe key before a rotation: still checks, never signs. */
    public Builder unsubscribePreviousKeyFile(Path file) {
      this.unsubscribePreviousKey =
          Values.secretFile(
              FeedbackKeys.UNSUBSCRIBE_PREVIOUS_KEY_FILE,
              file,
              dev.postbus.job.UnsubscribeToken.MIN_KEY_LENGTH);
      return this;
    }

    public Builder genericTokenFile(Path file) {
      this.genericToken = Values.secretFile(FeedbackKeys.GENERIC_TOKEN_FILE, file, 16);
      return this;
    }

    /** Null: no events. */
    public Builder eventsTopic(String value) {
      if (value != null && !value.matches("[A-Za-z0-9._-]{1,249}")) {
        throw Values.bad(FeedbackKeys.EVENTS_TOPIC, FeedbackKeys.EVENTS_TOPIC.allowed(), value);
      }
      this.eventsTopic = value;
      return this;
    }

    public Builder maxBody(int bytes) {
      return set(FeedbackKeys.MAX_BODY.name(), Integer.toString(bytes));
    }

    public Builder maxAge(Duration value) {
      this.maxAge = value;
      return this;
    }

    public Builder kafkaTimeout(Duration value) {
      this.kafkaTimeout = value;
      return this;
    }

    public Builder dedupeEntries(int value) {
      this.dedupeEntries = value;
      return this;
    }

    public Builder createTopics(boolean value) {
      this.createTopics = value;
      return this;
    }

    /** Transient bounces of one recipient within {@code window} that suppress it (0: never). */
    public Builder softBounces(int limit, Duration window) {
      set(FeedbackKeys.SOFT_BOUNCE_LIMIT.name(), Integer.toString(limit));
      set(FeedbackKeys.SOFT_BOUNCE_WINDOW.name(), window.toString());
      return this;
    }

    /** {@code postbus dev} only: loopback callers of /feedback/generic need no token. */
    public Builder devLoopbackGeneric(boolean value) {
      this.devLoopbackGeneric = value;
      return this;
    }

    /**
     * {@code postbus dev} (its dev-only keys {@code dev.sns-certificate-hosts} and {@code
     * dev.sns-certificate-ca}) and tests only; {@code postbus feedback} has no key for it: the
     * hosts SNS certificates may come from, and the TLS trust to fetch them with.
     */
    public Builder certificateSourceForTests(Pattern hosts, SSLContext trust) {
      this.certificateHosts = hosts;
      this.certificateTrust = trust;
      return this;
    }

    /** The SMTP listener's settings (port, bounce domain, VERP). */
    public SmtpSettings.Builder smtp() {
      return smtp;
    }

    public FeedbackConfig build() {
      try {
        InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(FeedbackKeys.HOST.name() + ": unknown host " + host);
      }
      if (unsubscribePreviousKey != null && unsubscribeKey == null) {
        throw new IllegalArgumentException(
            FeedbackKeys.UNSUBSCRIBE_PREVIOUS_KEY_FILE.name()
                + ": needs "
                + FeedbackKeys.UNSUBSCRIBE_KEY_FILE.name()
                + " (the current key)");
      }
      return new FeedbackConfig(
          kafka,
          topic,
          host,
          port,
          sesTopicArns,
          sendgridKey,
          postmarkPassword,
          mailgunSigningKey,
          genericToken,
          eventsTopic,
          maxBody,
          maxAge,
          kafkaTimeout,
          dedupeEntries,
          dedupeWindow,
          createTopics,
          topicPartitions,
          topicReplication,
          devLoopbackGeneric,
          certificateHosts,
          certificateTrust,
          smtp.build(),
          softBounceLimit,
          softBounceWindow,
          softBounceMaxRecipients,
          unsubscribeKey == null
              ? null
              : new dev.postbus.job.UnsubscribeToken(unsubscribeKey, unsubscribePreviousKey));
    }
  }
}
