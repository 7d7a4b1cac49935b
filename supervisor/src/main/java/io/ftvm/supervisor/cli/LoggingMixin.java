package io.ftvm.supervisor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code -v}: raises logging from INFO to DEBUG. Every command mixes this in itself (rather than
 * inheriting it from the root), so a command may be used stand-alone and accepts {@code -v} both
 * before and after its name.
 */
public final class LoggingMixin {
  @Option(
      names = {"-v", "--verbose"},
      description = "Log at DEBUG level (QEMU command lines, QMP traffic summaries).")
  boolean verbose;

  /** Applies -v before the chosen subcommand runs. */
  static int executionStrategy(CommandLine.ParseResult parseResult) {
    for (CommandLine.ParseResult result = parseResult;
        result != null;
        result = result.subcommand()) {
      if (result.hasMatchedOption("-v")) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.DEBUG);
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }
}
