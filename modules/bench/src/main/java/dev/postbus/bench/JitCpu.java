package dev.postbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's JIT compiler threads ("C1 CompilerThread", "C2 CompilerThread"), which are
 * not Java threads and so not in {@code ThreadMXBean}: read from Linux's {@code
 * /proc/self/task/<tid>/stat}, in clock ticks (10 ms). Elsewhere, or when unreadable, 0. A compiler
 * thread that ends meanwhile (the JVM starts and stops them as the queue grows and shrinks) takes
 * its time with it, so this is at least what the compilers used.
 */
final class JitCpu {

  private static final Path TASKS = Path.of("/proc/self/task");

  /** Linux's USER_HZ: the unit of utime and stime in /proc, 100 on every usual kernel. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private JitCpu() {}

  static long nanos() {
    if (!Files.isDirectory(TASKS)) {
      return 0;
    }
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        ticks += compilerTicks(task.resolve("stat"));
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return ticks * NANOS_PER_TICK;
  }

  /** utime + stime of one thread when it is a JIT compiler's, else 0 (gone meanwhile: 0). */
  static long compilerTicks(Path stat) {
    String line;
    try {
      line = Files.readString(stat);
    } catch (IOException e) {
      return 0;
    }
    return ticksOf(line);
  }

  /** Parses one {@code stat} line: "tid (name) state ppid ... utime stime ...". */
  static long ticksOf(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      return 0;
    }
    String name = line.substring(open + 1, close);
    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
      return 0;
    }
    String[] f = line.substring(close + 2).split(" ");
    // f[0] is the state (field 3); utime and stime are fields 14 and 15
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
