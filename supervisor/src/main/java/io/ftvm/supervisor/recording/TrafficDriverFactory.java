package io.ftvm.supervisor.recording;

import java.nio.file.Path;

/** Chooses the outside world of a recording. */
@FunctionalInterface
public interface TrafficDriverFactory {
  TrafficDriver create(RecordRequest request, Path workDirectory);
}
