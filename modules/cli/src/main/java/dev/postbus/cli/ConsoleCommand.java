package dev.postbus.cli;

import dev.postbus.console.ConsoleConfig;
import dev.postbus.console.ConsoleServer;
import dev.postbus.worker.config.KafkaKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the operator console: dead letters, replay, job lookup, overview and suppressions.",
      "Reads and writes only through Kafka. Listens on 127.0.0.1:8080 unless told otherwise; beyond",
      "loopback it requires --password-file (HTTP Basic, any user name). See docs/console.md."
    })
final class ConsoleCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: $POSTBUS_CONSOLE_HOST or 127.0.0.1).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port (default: $POSTBUS_CONSOLE_PORT or 8080; 0: any free port).")
  Integer port;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "A file holding the console's password (default: $POSTBUS_CONSOLE_PASSWORD_FILE);"
              + " required to listen beyond loopback.")
  Path passwordFile;

  @Option(
      names = "--host-name",
      split = ",",
      paramLabel = "NAME",
      description =
          "A name besides 127.0.0.1/localhost that browsers may reach the console by without a"
              + " password: a reverse proxy's public name, forwarded as Host (default:"
              + " $POSTBUS_CONSOLE_HOST_NAMES, comma-separated).")
  List<String> hostNames;

  @Option(
      names = "--events-topic",
      paramLabel = "TOPIC",
      description = "The workers' events topic (default: $POSTBUS_EVENTS_TOPIC or postbus.events).")
  String eventsTopic;

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description = "The workers' consumer group (default: $POSTBUS_GROUP or postbus-workers).")
  String group;

  /** POSTBUS_CONSOLE_PORT, or 8080; a value that is not a port is refused naming the variable. */
  private static int portFromEnvironment() {
    String text = or(null, "POSTBUS_CONSOLE_PORT", "8080").strip();
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "POSTBUS_CONSOLE_PORT: must be a port number from 0 to 65535; got '" + text + "'");
    }
  }

  @Override
  public Integer call() throws Exception {
    ConsoleConfig config =
        ConsoleConfig.builder(kafka.clientProperties(), kafka.topic())
            .host(or(host, "POSTBUS_CONSOLE_HOST", "127.0.0.1"))
            .port(port != null ? port : portFromEnvironment())
            .passwordFile(
                passwordFile != null
                    ? passwordFile
                    : System.getenv("POSTBUS_CONSOLE_PASSWORD_FILE") == null
                        ? null
                        : Path.of(System.getenv("POSTBUS_CONSOLE_PASSWORD_FILE")))
            .eventsTopic(
                or(
                    eventsTopic,
                    KafkaKeys.EVENTS_TOPIC.env(),
                    KafkaKeys.EVENTS_TOPIC.defaultValue()))
            .group(or(group, KafkaKeys.GROUP.env(), KafkaKeys.GROUP.defaultValue()))
            .hostNames(
                hostNames != null
                    ? hostNames
                    : List.of(or(null, "POSTBUS_CONSOLE_HOST_NAMES", "").split(",")).stream()
                        .map(String::strip)
                        .filter(n -> !n.isEmpty())
                        .toList())
            .build();
    kafka.requireKafka();
    ConsoleServer console = ConsoleServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  console.close();
                  stopped.countDown();
                },
                "postbus-console-stop"));
    System.out.println("Postbus console on " + console.url() + "/ (Ctrl-C to stop)");
    stopped.await();
    return 0;
  }

  private static String or(String given, String variable, String fallback) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    String env = System.getenv(variable);
    return env == null || env.isBlank() ? fallback : env;
  }
}
