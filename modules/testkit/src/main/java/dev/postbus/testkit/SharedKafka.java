package dev.postbus.testkit;

import dev.postbus.embedded.EmbeddedKafka;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real in-process Kafka broker for the whole test JVM, started on first use and stopped when
 * the JVM's tests end. Tests get it as a parameter and give themselves their own topics and group
 * ids ({@link #uniqueName(String)}).
 *
 * <pre>
 * {@code @ExtendWith(SharedKafka.class) class MyIT { @Test void t(EmbeddedKafka kafka) { ... } } }
 * </pre>
 */
public final class SharedKafka implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedKafka.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    broker(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  private static EmbeddedKafka broker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            EmbeddedKafka.class, k -> EmbeddedKafka.startEphemeral(), EmbeddedKafka.class);
  }

  /** A topic or group name no other test uses: {@code prefix-<random>}. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
