package dev.postbus.worker.config;

import java.util.List;

/**
 * Renders {@code docs/configuration.md} from the key declarations in {@link Keys}, so doc and code
 * agree.
 */
public final class ConfigReference {

  private ConfigReference() {}

  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append(
        """
        # Configuration reference

        <!-- Generated from the key declarations in modules/worker/.../config/*Keys.java (all listed in Keys.ALL) by ConfigReference.
             ConfigReferenceTest fails when this file and the code disagree; it writes the current text to
             modules/worker/target/configuration.md. -->

        The worker reads a properties file (`postbus worker --config FILE`) and then environment variables,
        which win. Every key has both forms: `smtp.max-connection-age` in the file is
        `POSTBUS_SMTP_MAX_CONNECTION_AGE` in the environment. A bad value stops start-up with exit code 2 and
        one line naming the key, what is allowed and what was given. An unknown key in the file, or an unknown
        `POSTBUS_*` variable, is refused too (a typo must not pass silently). The keys of `postbus feedback`
        the worker does not read (`feedback.smtp-port`, `POSTBUS_FEEDBACK_SMTP_PORT`...) are skipped, so one
        file or environment can serve both ([feedback](feedback.md)).

        Durations are written `250ms`, `30s`, `5m`, `2h`, `1d`, or in ISO-8601 (`PT30S`).

        """);
    for (Importance group : Importance.values()) {
      keyTable(md, group);
    }
    md.append(
        """
        ## Several relays

        `relays=ses,postfix` names the relays in order of preference. Each relay has its own connections,
        TLS, authentication and limits, set with `relay.<name>.<setting>` in the file or
        `POSTBUS_RELAY_<NAME>_<SETTING>` in the environment (`relay.ses.password-file` is
        `POSTBUS_RELAY_SES_PASSWORD_FILE`). A setting a relay does not set comes from the `smtp.*` key of the same
        name, so what the relays share is written once. A key that a relay does not use, its own or
        inherited (`smtp.trust-store` with `relay.local.tls=none`), is ignored with a WARN at start-up
        naming the relay's key (`relay.local.trust-store`).

        A relay that fails at the relay level (unreachable, TLS, authentication) is taken out for the
        `smtp.reconnect-backoff` period, doubling up to `smtp.reconnect-backoff-max` with each failed probe;
        its jobs go to the other relays meanwhile, without counting an attempt. When the period ends, the next
        job it serves probes it; with no job in hand, the worker probes it itself 1 s later with a session and
        no message. Only when every relay is out does the worker pause.

        | setting | meaning | default | allowed |
        |---|---|---|---|
        """);
    relayTable(md);
    md.append(
        """

        For example, Amazon SES first and a Postfix relay when SES is out, with transactional mail kept to SES:

        ```properties
        relays=ses,postfix
        smtp.connections=8
        relay.ses.host=email-smtp.eu-west-1.amazonaws.com
        relay.ses.port=587
        relay.ses.tls=starttls-required
        relay.ses.username=AKIA...
        relay.ses.password-file=/run/secrets/ses-smtp-password
        relay.ses.rate-limit-global=14
        relay.postfix.host=postfix.internal
        relay.postfix.port=25
        relay.postfix.pools=default,bulk
        ```

        A job chooses its pool with the tag `relay-pool` (`"tags": {"relay-pool": "bulk"}`); without it, it is in
        pool `default`. A job naming a pool no relay serves is dead-lettered as poison with a reason naming
        `tags.relay-pool`; replay it once a relay serves the pool.

        """);
    md.append(
        """
        ## Kafka client settings

        Any Kafka client property passes through to the worker's consumer, producer and admin client with the
        prefix `%s` in the file, or `%s` in the environment (the rest of the name upper-cased, dots as
        underscores). For example, SASL over TLS:

        ```properties
        kafka.client.security.protocol=SASL_SSL
        kafka.client.sasl.mechanism=SCRAM-SHA-512
        kafka.client.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="postbus" password="...";
        ```

        or `POSTBUS_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL`. The settings that make delivery safe cannot be
        overridden this way: manual commits, `acks=all`, idempotence, the group id and the offset reset
        (earliest).

        The launcher also reads `POSTBUS_JAVA_OPTS` (JVM options), and logging reads `POSTBUS_LOG_FORMAT`
        (`json` for JSON lines) and `POSTBUS_LOG_LEVEL`.
        """
            .formatted(
                KafkaKeys.CLIENT_PREFIX,
                ConfigKey.envName(KafkaKeys.CLIENT_PREFIX) + "<PROPERTY>"));
    return md.toString();
  }

  /** The keys of one {@link Importance}, in the order of {@link Keys#ALL}. */
  private static void keyTable(StringBuilder md, Importance group) {
    md.append("## ").append(group.title()).append("\n\n");
    md.append("| key | environment variable | meaning | unit | default | allowed |\n");
    md.append("|---|---|---|---|---|---|\n");
    List<ConfigKey<?>> keys = Keys.ALL.stream().filter(k -> k.importance() == group).toList();
    for (ConfigKey<?> k : keys) {
      md.append("| `")
          .append(k.name())
          .append("` | `")
          .append(k.env())
          .append("` | ")
          .append(cell(k.doc()))
          .append(k.secret() ? " Secret: never logged or shown." : "")
          .append(" | ")
          .append(k.type().unit())
          .append(" | ")
          .append(k.defaultText() == null ? "(none)" : "`" + cell(k.defaultText()) + "`")
          .append(" | ")
          .append(cell(k.type().allowed()))
          .append(" |\n");
    }
    md.append('\n');
  }

  /** A relay's settings: those it takes from {@code smtp.*}, then its own. */
  private static void relayTable(StringBuilder md) {
    RelayKeys.INHERITED.forEach(
        (setting, base) ->
            md.append("| `")
                .append(setting)
                .append("` | as `")
                .append(base.name())
                .append("`, for this relay | `")
                .append(base.name())
                .append("` | ")
                .append(cell(base.type().allowed()))
                .append(" |\n"));
    for (ConfigKey<?> k : RelayKeys.OWN) {
      md.append("| `")
          .append(RelayKeys.setting(k))
          .append("` | ")
          .append(cell(k.doc()))
          .append(" | `")
          .append(cell(k.defaultText()))
          .append("` | ")
          .append(cell(k.type().allowed()))
          .append(" |\n");
    }
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
