package io.ftvm.faults;

import java.util.List;

/**
 * How a round ended.
 *
 * @param failures one line per violated invariant; empty if the round passed
 * @param survivor the node that went live, or null if none did
 * @param faultToLiveMillis from the injection to the survivor's PRIMARY_ALONE, or -1
 */
public record RoundVerdict(List<String> failures, String survivor, long faultToLiveMillis) {
  public boolean passed() {
    return failures.isEmpty();
  }
}
