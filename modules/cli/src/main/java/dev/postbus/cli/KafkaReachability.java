package dev.postbus.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Before a command talks to Kafka: can the bootstrap servers be reached, and do they answer? A
 * wrong address or a broker still starting is the most common first mistake, so the answer comes
 * within the timeout, as one line that names the servers, what happened and what to do, instead of
 * a client that waits forever.
 */
final class KafkaReachability {

  /** Exit code when Kafka cannot be reached (documented in docs/operations.md). */
  static final int EXIT_KAFKA = 3;

  private KafkaReachability() {}

  /** Kafka could not be reached; the message is the one line to print. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String line) {
      super(line, null, false, false);
    }
  }

  static void require(Map<String, Object> clientProperties, Duration timeout) {
    String servers =
        String.valueOf(clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    List<String> problems = new ArrayList<>();
    boolean anyOpen = false;
    String[] list = servers.split(",");
    for (String server : list) {
      String problem = probe(server.strip(), timeout);
      if (problem == null) {
        anyOpen = true;
        break;
      }
      problems.add(list.length == 1 ? problem : server.strip() + ": " + problem);
    }
    if (!anyOpen) {
      throw new Unreachable(line(servers, String.join("; ", problems)));
    }
    Map<String, Object> props = new java.util.HashMap<>(clientProperties);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new Unreachable(
          line(
              servers,
              cause instanceof AuthenticationException
                  ? "authentication failed ("
                      + cause.getMessage()
                      + "); check POSTBUS_KAFKA_CLIENT_SASL_*"
                  : cause.getClass().getSimpleName() + " (" + cause.getMessage() + ")"));
    } catch (TimeoutException e) {
      throw new Unreachable(
          line(
              servers,
              "the port is open but no Kafka broker answered within "
                  + timeout.toSeconds()
                  + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable(line(servers, "interrupted"));
    }
  }

  /** Null when a TCP connection opens; else what happened. */
  private static String probe(String server, Duration timeout) {
    int colon = server.lastIndexOf(':');
    if (colon < 1) {
      return "not host:port";
    }
    try (Socket s = new Socket()) {
      s.connect(
          new InetSocketAddress(
              server.substring(0, colon), Integer.parseInt(server.substring(colon + 1))),
          (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE));
      return null;
    } catch (UnknownHostException e) {
      return "unknown host";
    } catch (ConnectException e) {
      return "connection refused";
    } catch (SocketTimeoutException e) {
      return "no answer within " + timeout.toSeconds() + " s";
    } catch (IOException | IllegalArgumentException e) {
      return e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
  }

  private static String line(String servers, String what) {
    return "cannot reach Kafka at "
        + servers
        + ": "
        + what
        + ". Is the broker running (./postbus dev starts "
        + "one on localhost:9092)? Set the address with --bootstrap-servers or POSTBUS_KAFKA_BOOTSTRAP_SERVERS.";
  }
}
