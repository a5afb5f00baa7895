package dev.postbus.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Wall time, process CPU time and peak heap around one run. CPU and heap are the whole JVM's: the
 * sink and (for postbus with the in-process broker) the broker are included, alike for every
 * scenario of a run.
 */
final class Measurement {

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private long startNanos;
  private long startCpu;
  private JitCpu startJit;

  static Measurement start() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    Measurement m = new Measurement();
    m.startCpu = OS.getProcessCpuTime();
    m.startJit = JitCpu.now();
    m.startNanos = System.nanoTime();
    return m;
  }

  double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  double cpuSeconds() {
    return (OS.getProcessCpuTime() - startCpu) / 1e9;
  }

  /**
   * CPU time of the JIT compilers' threads since the start, in seconds (part of {@link
   * #cpuSeconds}): a run still warming up spends a large share of its CPU there. NaN where it
   * cannot be read.
   */
  double jitSeconds() {
    return startJit.secondsSince();
  }

  static double peakHeapMiB() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / (1024.0 * 1024.0);
  }
}
