package dev.postbus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code postbus} executable. */
@Command(
    name = "postbus",
    mixinStandardHelpOptions = true,
    versionProvider = Postbus.Version.class,
    description = "Durable, Kafka-backed mail delivery.",
    subcommands = {
      WorkerCommand.class,
      SendCommand.class,
      TopicsCommand.class,
      DltCommand.class,
      SuppressionsCommand.class,
      ResumeCommand.class,
      ConsoleCommand.class,
      FeedbackCommand.class,
      DevCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Postbus implements Runnable {

  /** Exit code for a configuration or usage error. */
  public static final int EXIT_CONFIG = 2;

  /** The values of POSTBUS_LOG_FORMAT: the names of the appenders in logback.xml. */
  static final java.util.List<String> LOG_FORMATS = java.util.List.of("text", "json");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    String format = System.getenv("POSTBUS_LOG_FORMAT");
    if (format != null && !LOG_FORMATS.contains(format)) {
      // Checked before the first log line: logback would otherwise drop every line without a word.
      System.err.println(
          "postbus: invalid configuration: POSTBUS_LOG_FORMAT: expected one of "
              + String.join(", ", LOG_FORMATS)
              + "; got '"
              + format
              + "'");
      System.exit(EXIT_CONFIG);
    }
    quietLogsFor(args);
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Postbus())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              if (e instanceof dev.postbus.worker.lifecycle.KafkaUnavailableException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return dev.postbus.worker.lifecycle.KafkaUnavailableException.EXIT_CODE;
              }
              if (e instanceof KafkaReachability.Unreachable) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return KafkaReachability.EXIT_KAFKA;
              }
              if (e instanceof dev.postbus.worker.config.ConfigException) {
                cmd.getErr().println("postbus: invalid configuration: " + e.getMessage());
                return EXIT_CONFIG;
              }
              if (e instanceof IllegalArgumentException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return EXIT_CONFIG;
              }
              throw e;
            });
  }

  /** The demo keeps its terminal for the progress bar and the report: only warnings are logged. */
  private static void quietLogsFor(String[] args) {
    if (args.length > 0
        && (args[0].equals("demo") || args[0].equals("bench"))
        && System.getenv("POSTBUS_LOG_LEVEL") == null) {
      System.setProperty("POSTBUS_LOG_LEVEL", "WARN");
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Postbus.class.getPackage().getImplementationVersion();
      return new String[] {"postbus " + (v == null ? "(development build)" : v)};
    }
  }
}
