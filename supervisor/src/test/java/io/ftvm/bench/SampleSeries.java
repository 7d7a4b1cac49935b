package io.ftvm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Timestamped readings of one counter or gauge, taken by the bench's sampling thread while the
 * client runs, and reduced afterwards to figures over exactly the client's measured window.
 */
final class SampleSeries {
  private record Sample(long epochMillis, double value) {}

  private final List<Sample> samples = new ArrayList<>();

  synchronized void add(long epochMillis, double value) {
    samples.add(new Sample(epochMillis, value));
  }

  /** Increase per second of a counter between the first and last reading inside the window. */
  synchronized OptionalDouble ratePerSecond(long startMillis, long endMillis) {
    List<Sample> inside = inside(startMillis, endMillis);
    if (inside.size() < 2) {
      return OptionalDouble.empty();
    }
    Sample first = inside.get(0);
    Sample last = inside.get(inside.size() - 1);
    if (last.epochMillis() == first.epochMillis()) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(
        (last.value() - first.value()) * 1000.0 / (last.epochMillis() - first.epochMillis()));
  }

  /** Nearest-rank percentile (0..1] of a gauge over the readings inside the window. */
  synchronized OptionalDouble percentile(long startMillis, long endMillis, double fraction) {
    double[] values =
        inside(startMillis, endMillis).stream().mapToDouble(Sample::value).sorted().toArray();
    if (values.length == 0) {
      return OptionalDouble.empty();
    }
    int rank = (int) Math.ceil(fraction * values.length);
    return OptionalDouble.of(values[Math.max(0, Math.min(values.length - 1, rank - 1))]);
  }

  synchronized OptionalDouble min(long startMillis, long endMillis) {
    double[] values = inside(startMillis, endMillis).stream().mapToDouble(Sample::value).toArray();
    return java.util.Arrays.stream(values).min();
  }

  synchronized OptionalDouble max(long startMillis, long endMillis) {
    return percentile(startMillis, endMillis, 1.0);
  }

  private List<Sample> inside(long startMillis, long endMillis) {
    return samples.stream()
        .filter(s -> s.epochMillis() >= startMillis && s.epochMillis() <= endMillis)
        .toList();
  }
}
