package dev.postbus.worker.lifecycle;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Can the bootstrap servers be reached, and does a Kafka broker answer there? One bounded look: a
 * TCP connection to each server until one opens, then a cluster description. What a command checks
 * before it talks to Kafka, and what a starting worker waits for.
 */
public final class KafkaProbe {

  private KafkaProbe() {}

  /**
   * Null when Kafka answered within {@code timeout}; else what happened, in words (connection
   * refused, unknown host, no answer, authentication failed).
   *
   * @param clientProperties bootstrap.servers and any security settings
   */
  public static String problem(Map<String, Object> clientProperties, Duration timeout) {
    String servers = servers(clientProperties);
    List<String> problems = new ArrayList<>();
    String[] list = servers.split(",");
    boolean anyOpen = false;
    for (String server : list) {
      String problem = connect(server.strip(), timeout);
      if (problem == null) {
        anyOpen = true;
        break;
      }
      problems.add(list.length == 1 ? problem : server.strip() + ": " + problem);
    }
    if (!anyOpen) {
      return String.join("; ", problems);
    }
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return cause instanceof AuthenticationException
          ? "authentication failed ("
              + cause.getMessage()
              + "); check the kafka.client.sasl.* settings (POSTBUS_KAFKA_CLIENT_SASL_*)"
          : cause.getClass().getSimpleName() + " (" + cause.getMessage() + ")";
    } catch (TimeoutException e) {
      return "the port is open but no Kafka broker answered within " + timeout.toSeconds() + " s";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  public static String servers(Map<String, Object> clientProperties) {
    return String.valueOf(clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
  }

  /** Null when a TCP connection opens; else what happened. */
  private static String connect(String server, Duration timeout) {
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
}
