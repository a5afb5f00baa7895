package dev.postbus.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a JVM that runs {@code postbus} on this test's class path. */
final class PostbusJvm {

  /**
   * Only the JIT's first tier: a short command or a test's worker starts in about half the time and
   * CPU on a loaded two-core machine (C2 compiles compete with the test for the cores). Nothing
   * Postbus does depends on which compiler ran it; the tests of a heap bound keep the JVM's default
   * to prove it as users run it.
   */
  static final String QUICK_START = "-XX:TieredStopAtLevel=1";

  private PostbusJvm() {}

  /** {@code java <jvmOptions> -cp <this class path> dev.postbus.cli.Postbus <args>}. */
  static List<String> command(List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-Dlogback.configurationFile=logback.xml",
            "-cp",
            System.getProperty("java.class.path"),
            Postbus.class.getName()));
    command.addAll(args);
    return command;
  }

  /** As {@link #command(List, List)}, with {@link #QUICK_START}. */
  static List<String> quick(String... args) {
    return command(List.of(QUICK_START), List.of(args));
  }
}
