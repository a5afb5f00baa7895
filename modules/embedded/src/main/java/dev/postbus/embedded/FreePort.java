package dev.postbus.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port that was free a moment ago, and not handed out before in this JVM: the kernel
 * gives a port let go straight out again, so two picks in a row could otherwise be the same port.
 */
public final class FreePort {

  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final int TRIES = 1000;

  private FreePort() {}

  public static int pick() {
    for (int i = 0; i < TRIES; i++) {
      int port = bindAny();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no loopback port left that this JVM has not handed out");
  }

  private static int bindAny() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
