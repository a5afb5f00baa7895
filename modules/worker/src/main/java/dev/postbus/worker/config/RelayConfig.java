package dev.postbus.worker.config;

import dev.postbus.smtp.SmtpConfig;
import java.util.List;
import java.util.Objects;

/**
 * One SMTP relay a worker sends through: how to reach it (its own TLS and authentication), how many
 * connections to keep, its own limits, its weight and the pools of jobs it serves.
 *
 * @param connectionsGlobal most connections the whole group opens to this relay (0: no group limit)
 * @param rateLimit messages/s this worker sends through this relay (0: no limit of its own)
 * @param rateLimitGlobal messages/s the whole group sends through this relay (0: no limit)
 * @param pools the relay pools it serves; {@value #ANY_POOL} for every pool
 * @param provider the provider behind it, for the job's metadata header
 */
public record RelayConfig(
    String name,
    SmtpConfig smtp,
    int connections,
    int connectionsGlobal,
    int rateLimit,
    int rateLimitGlobal,
    int weight,
    List<String> pools,
    Provider provider) {

  /** The pool of a job that names none. */
  public static final String DEFAULT_POOL = "default";

  /** In {@code pools}: every pool. */
  public static final String ANY_POOL = "*";

  /** The job tag that names a relay pool. */
  public static final String POOL_TAG = "relay-pool";

  /** What a pool's name is: {@value #POOL_NAME_RULE}. */
  static final java.util.regex.Pattern POOL_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** {@link #POOL_NAME} in words. */
  public static final String POOL_NAME_RULE = "1 to 64 of letters, digits, '.', '_', '-'";

  /** Whether {@code pool} is a name a relay's pools can list. */
  public static boolean isPoolName(String pool) {
    return POOL_NAME.matcher(pool).matches();
  }

  /** The name of the single relay configured with {@code smtp.*} alone. */
  public static final String SINGLE = "default";

  public RelayConfig {
    Objects.requireNonNull(smtp, "smtp");
    Objects.requireNonNull(provider, "provider");
    pools = List.copyOf(pools);
  }

  /** A relay with no provider metadata. */
  public RelayConfig(
      String name,
      SmtpConfig smtp,
      int connections,
      int connectionsGlobal,
      int rateLimit,
      int rateLimitGlobal,
      int weight,
      List<String> pools) {
    this(
        name,
        smtp,
        connections,
        connectionsGlobal,
        rateLimit,
        rateLimitGlobal,
        weight,
        pools,
        Provider.NONE);
  }

  /** The pool a job names with its {@value #POOL_TAG} tag, or {@value #DEFAULT_POOL}. */
  public static String poolOf(dev.postbus.job.Job job) {
    return job.tags().getOrDefault(POOL_TAG, DEFAULT_POOL);
  }

  public boolean serves(String pool) {
    return pools.contains(ANY_POOL) || pools.contains(pool);
  }

  @Override
  public String toString() {
    return name
        + "="
        + smtp.host()
        + ":"
        + smtp.port()
        + "×"
        + connections
        + (pools.equals(List.of(ANY_POOL)) ? "" : " pools " + String.join(",", pools))
        + (provider == Provider.NONE ? "" : " (" + provider + ")");
  }
}
