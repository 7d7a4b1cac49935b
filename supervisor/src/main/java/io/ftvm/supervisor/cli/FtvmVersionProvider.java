package io.ftvm.supervisor.cli;

import picocli.CommandLine;

/** ftvm's own version, from the jar manifest (set by the build). */
public final class FtvmVersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"ftvm " + ftvmVersion()};
  }

  static String ftvmVersion() {
    String version = FtvmCommand.class.getPackage().getImplementationVersion();
    return version == null ? "(development build, no manifest)" : version;
  }
}
