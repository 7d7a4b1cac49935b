package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@link CounterStreamClient} received, and what it proves. */
public record CounterTranscript(List<Long> numbers, List<Long> arrivalMillis, String end) {

  public static CounterTranscript read(Path file) throws IOException {
    List<Long> numbers = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    String end = null;
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("END")) {
          end = line;
          continue;
        }
        String[] parts = line.split(" ");
        if (parts.length == 2) {
          numbers.add(Long.parseLong(parts[0]));
          arrivals.add(Long.parseLong(parts[1]));
        }
      }
    }
    return new CounterTranscript(numbers, arrivals, end);
  }

  public int count() {
    return numbers.size();
  }

  public long last() {
    return numbers.isEmpty() ? -1 : numbers.get(numbers.size() - 1);
  }

  /** Descriptions of every place where the stream is not n, n+1, n+2, ... from 0. */
  public List<String> discontinuities() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < numbers.size(); i++) {
      long expected = i == 0 ? 0 : numbers.get(i - 1) + 1;
      if (numbers.get(i) != expected) {
        problems.add(
            "line "
                + i
                + ": got "
                + numbers.get(i)
                + ", expected "
                + expected
                + (numbers.get(i) < expected ? " (duplicate)" : " (gap)"));
      }
    }
    return problems;
  }

  public int countReceivedAfter(long epochMillis) {
    int n = 0;
    for (long t : arrivalMillis) {
      if (t > epochMillis) {
        n++;
      }
    }
    return n;
  }

  /** The longest silence between two consecutive lines that arrived after {@code fromMillis}-1s. */
  public long longestSilenceAround(long epochMillis) {
    long longest = 0;
    for (int i = 1; i < arrivalMillis.size(); i++) {
      if (arrivalMillis.get(i) >= epochMillis) {
        longest = Math.max(longest, arrivalMillis.get(i) - arrivalMillis.get(i - 1));
      }
    }
    return longest;
  }

  /**
   * Arrival of the first line after {@code epochMillis} + 5 ms: anything earlier was already on the
   * wire from the old primary when the fault struck.
   */
  public long firstArrivalAfter(long epochMillis) {
    for (long t : arrivalMillis) {
      if (t > epochMillis + 5) {
        return t;
      }
    }
    return -1;
  }
}
