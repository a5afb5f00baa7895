package dev.postbus.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What a logger and those under it logged while this was open, for a test that asserts what a log
 * line says or leaves out (an address, a message body). Each line is the event's message followed
 * by its throwable as printed (causes and frames included). Safe while other threads log.
 */
public final class LogLines implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogLines(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what {@code loggerName} (e.g. a package) and the loggers under it log. */
  public static LogLines capture(String loggerName) {
    return new LogLines(loggerName);
  }

  /** The lines logged so far, each with its throwable's text. */
  public List<String> lines() {
    return events().stream().map(LogLines::text).toList();
  }

  /** The lines logged so far at {@code level}. */
  public List<String> lines(Level level) {
    return events().stream().filter(e -> e.getLevel() == level).map(LogLines::text).toList();
  }

  private List<ILoggingEvent> events() {
    synchronized (appender) { // the appender appends holding its own lock
      return List.copyOf(appender.list);
    }
  }

  private static String text(ILoggingEvent e) {
    return e.getThrowableProxy() == null
        ? e.getFormattedMessage()
        : e.getFormattedMessage() + "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
