package dev.postbus.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this JVM's JIT compiler threads ("C1 CompilerThread", "C2 CompilerThread"), which are
 * not Java threads and so not in {@code ThreadMXBean}: read from Linux's {@code
 * /proc/self/task/<tid>/stat}, in clock ticks (10 ms), thread by thread. A snapshot ({@link #at});
 * {@link #secondsSince} adds each compiler thread's own time since it, so a thread that HotSpot
 * stops meanwhile (it starts and stops them as the queue grows and shrinks) takes nothing from the
 * others, and one started since counts from 0. Where {@code /proc} cannot be read, the time is
 * unknown (NaN), never 0.
 */
final class JitCpu {

  /** This JVM's threads. */
  static final Path TASKS = Path.of("/proc/self/task");

  /** Linux's USER_HZ: the unit of utime and stime in /proc, 100 on every usual kernel. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  /** Ticks by compiler thread id; null when unknown. */
  private final Map<String, Long> ticks;

  private JitCpu(Map<String, Long> ticks) {
    this.ticks = ticks;
  }

  /** The compiler threads' time now. */
  static JitCpu now() {
    return at(TASKS);
  }

  /** The compiler threads' time now, from the thread directories under {@code tasks}. */
  static JitCpu at(Path tasks) {
    return new JitCpu(read(tasks));
  }

  /** The compiler threads' CPU since this snapshot, in seconds; NaN when either is unknown. */
  double secondsSince(Path tasks) {
    Map<String, Long> now = read(tasks);
    if (ticks == null || now == null) {
      return Double.NaN;
    }
    long used = 0;
    for (Map.Entry<String, Long> t : now.entrySet()) {
      used += Math.max(0, t.getValue() - ticks.getOrDefault(t.getKey(), 0L));
    }
    return used * NANOS_PER_TICK / 1e9;
  }

  /** The compiler threads' CPU since this snapshot, in seconds; NaN when unknown. */
  double secondsSince() {
    return secondsSince(TASKS);
  }

  private static Map<String, Long> read(Path tasks) {
    if (!Files.isDirectory(tasks)) {
      return null;
    }
    Map<String, Long> out = new HashMap<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
      for (Path task : all) {
        String line;
        try {
          line = Files.readString(task.resolve("stat"));
        } catch (IOException gone) { // the thread ended meanwhile
          continue;
        }
        long t = ticksOf(line);
        if (t >= 0) {
          out.put(task.getFileName().toString(), t);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return out;
  }

  /**
   * utime + stime from one {@code stat} line ("tid (name) state ppid ... utime stime ...") when the
   * thread is a JIT compiler's; -1 otherwise.
   */
  static long ticksOf(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      return -1;
    }
    String name = line.substring(open + 1, close);
    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
      return -1;
    }
    String[] f = line.substring(close + 2).split(" ");
    // f[0] is the state (field 3); utime and stime are fields 14 and 15
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
