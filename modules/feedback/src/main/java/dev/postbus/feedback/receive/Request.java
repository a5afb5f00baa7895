package dev.postbus.feedback.receive;

import java.util.function.UnaryOperator;

/**
 * What an endpoint sees of a request: its headers, its body (already bounded), and whether it came
 * from this machine.
 */
public record Request(UnaryOperator<String> headers, byte[] body, boolean loopback) {

  public String header(String name) {
    return headers.apply(name);
  }
}
