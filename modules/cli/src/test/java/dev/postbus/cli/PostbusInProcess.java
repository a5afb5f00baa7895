package dev.postbus.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code postbus <args>} run in this JVM through the same picocli command line as {@link
 * Postbus#main} runs ({@link Postbus#commandLine()}), with what it prints to standard output and
 * standard error and its exit code: the commands without the cost of a JVM start each (seconds on a
 * loaded two-core machine). {@link CliIT#postbus} runs the real launcher in a JVM of its own: each
 * test class keeps at least one command through it, so {@code main} (its exit code, its log
 * configuration, the process's streams) stays covered.
 *
 * <p>The command runs on a thread of its own; what that thread, and any thread it starts, prints to
 * {@code System.out} and {@code System.err} while the command runs is captured, as a child
 * process's streams would be. Other threads of the test (a worker, the broker) print where they
 * always do. Log lines go to standard error (logback-test.xml), as logback.xml sends them in the
 * launcher. Where the environment holds a {@code POSTBUS_*} variable, which the launcher's child
 * process would not see, the command runs in a child JVM instead, to prove the same thing.
 */
final class PostbusInProcess {

  /** The capture of the command running on this thread (or the thread that started this one). */
  private static final InheritableThreadLocal<Capture> CAPTURE = new InheritableThreadLocal<>();

  static {
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(routing(out, true));
    System.setErr(routing(err, false));
    System.setIn(routingIn(System.in));
  }

  private PostbusInProcess() {}

  /**
   * {@code postbus <args>} with nothing on standard input (it reads end of input at once, as the
   * launcher's child does, never the test JVM's own input); its exit code and what it printed.
   */
  static CliIT.Result postbus(String... args) throws Exception {
    if (System.getenv().keySet().stream().anyMatch(k -> k.startsWith("POSTBUS_"))) {
      return CliIT.postbus(Map.of(), null, args);
    }
    return run(
        "postbus " + String.join(" ", args),
        () -> Postbus.commandLine().execute(args),
        Duration.ofMinutes(2));
  }

  /**
   * Runs {@code command} as {@link #postbus} runs a command: on a thread of its own (a daemon, so
   * one left running after its time does not hold the JVM), its output captured until it ends or
   * its time is up; after a timeout it is interrupted and given 10 s, and the failure carries what
   * it printed until then.
   */
  static CliIT.Result run(String name, Callable<Integer> command, Duration max) throws Exception {
    Capture capture = new Capture();
    FutureTask<Integer> task =
        new FutureTask<>(
            () -> {
              CAPTURE.set(capture);
              try {
                return command.call();
              } finally {
                System.out.flush();
                System.err.flush();
              }
            });
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
    try {
      int exit = task.get(max.toMillis(), TimeUnit.MILLISECONDS);
      capture.close();
      return new CliIT.Result(exit, capture.out(), capture.err());
    } catch (TimeoutException e) {
      thread.interrupt();
      thread.join(Duration.ofSeconds(10).toMillis());
      capture.close();
      throw new AssertionError(
          name
              + " did not finish within "
              + max
              + (thread.isAlive() ? " (still running after an interrupt)" : "")
              + "; it printed:\n"
              + capture.out()
              + capture.err(),
          e);
    } catch (ExecutionException e) {
      capture.close();
      throw new AssertionError(name + " threw", e.getCause());
    } finally {
      capture.close();
    }
  }

  /** A command's thread reads end of input; every other thread reads the JVM's own input. */
  private static InputStream routingIn(InputStream original) {
    InputStream empty = InputStream.nullInputStream();
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return source().read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return source().read(b, off, len);
      }

      @Override
      public int available() throws IOException {
        return source().available();
      }

      private InputStream source() {
        return CAPTURE.get() == null ? original : empty;
      }
    };
  }

  private static PrintStream routing(PrintStream original, boolean out) {
    OutputStream routed =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            target().write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            target().write(b, off, len);
          }

          @Override
          public void flush() throws IOException {
            target().flush();
          }

          private OutputStream target() {
            Capture c = CAPTURE.get();
            OutputStream to = c == null ? null : c.stream(out);
            return to == null ? original : to;
          }
        };
    return new PrintStream(routed, true, StandardCharsets.UTF_8);
  }

  /** What one command printed; once it has ended, threads it left behind print as before. */
  private static final class Capture {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private volatile boolean open = true;

    OutputStream stream(boolean stdout) {
      return open ? (stdout ? out : err) : null;
    }

    void close() {
      open = false;
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }
}
