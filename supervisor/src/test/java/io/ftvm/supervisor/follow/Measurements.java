package io.ftvm.supervisor.follow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Figures an IT measured, logged and written to {@code target/ftvm-measurements/<name>.json}. */
final class Measurements {
  private static final Logger log = LoggerFactory.getLogger(Measurements.class);

  private final String name;
  private final Map<String, Object> values = new LinkedHashMap<>();

  Measurements(String name) {
    this.name = name;
  }

  Measurements put(String key, Object value) {
    values.put(key, value);
    return this;
  }

  static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }

  /** The value below which {@code fraction} of the samples lie (nearest rank). */
  static long percentile(List<Long> samples, double fraction) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    List<Long> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(fraction * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  void write() throws IOException {
    log.info("measured {}: {}", name, values);
    Path report = Path.of("target", "ftvm-measurements", name + ".json");
    Files.createDirectories(report.getParent());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(report.toFile(), values);
  }
}
