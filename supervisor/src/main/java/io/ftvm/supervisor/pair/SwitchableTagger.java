package io.ftvm.supervisor.pair;

/**
 * The tagger an output path uses, switchable to a new log stream at re-protection without
 * rebuilding the path (the network and console paths keep running through the switch).
 */
final class SwitchableTagger implements OutputTagger {
  private volatile OutputTagger current;

  SwitchableTagger(OutputTagger initial) {
    this.current = initial;
  }

  void switchTo(OutputTagger next) {
    current = next;
  }

  @Override
  public long positionCoveringOutputNow() {
    return current.positionCoveringOutputNow();
  }
}
