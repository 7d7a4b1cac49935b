package io.ftvm.fencing;

/**
 * One way of making a losing node harmless. Implementations report failures in the returned {@link
 * FenceReport} rather than throwing, so that a sequence can carry on with the next measure.
 */
public interface Fencer {

  /** Short name for reports and logs, e.g. "kill-qemu". */
  String name();

  FenceReport fence(FenceRequest request);
}
