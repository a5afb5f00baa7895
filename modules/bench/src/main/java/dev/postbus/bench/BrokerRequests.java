package dev.postbus.bench;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Produce requests the in-process broker has handled so far (its RequestsPerSec meter for Produce,
 * over JMX, every version summed): how many requests the postbus scenario's records cost, a figure
 * that does not depend on how busy the machine is. -1 when the broker is elsewhere.
 */
final class BrokerRequests {

  private BrokerRequests() {}

  static long produce() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      long total = 0;
      boolean found = false;
      for (ObjectName name :
          server.queryNames(
              new ObjectName(
                  "kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,*"),
              null)) {
        total += ((Number) server.getAttribute(name, "Count")).longValue();
        found = true;
      }
      return found ? total : -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
