package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A running VM that can be cloned into a {@link CloneTarget} while it keeps running, and then
 * records a new replay log from exactly the clone point.
 */
public interface CloneSource {

  /**
   * Mirrors the disk and pre-copies RAM while the VM runs, stops it briefly, completes the mirror
   * (the target's image is then byte-identical), sends the last dirty memory and device state,
   * starts a new recording into {@code newRecordingFifo} and resumes the VM. A VM that was
   * recording first ends that recording (its log gets an END event).
   *
   * <p>On failure the jobs are cancelled and the VM runs again, without a recording.
   *
   * @param newRecordingFifo the new log; a FIFO must already be open for reading (QEMU's open
   *     blocks until a reader exists, inside the pause)
   * @param progress called from the calling thread with the copy's progress
   */
  CloneOutcome cloneTo(
      CloneEndpoints target, Path newRecordingFifo, Consumer<CloneProgress> progress)
      throws CloneException, InterruptedException;
}
