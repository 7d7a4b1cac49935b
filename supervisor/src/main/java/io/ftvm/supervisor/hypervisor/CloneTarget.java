package io.ftvm.supervisor.hypervisor;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A QEMU started as an incoming clone ({@link ReplaySpec#cloneTarget()}): it receives the disk and
 * the state of a running VM, then follows that VM's new replay log.
 */
public interface CloneTarget {

  /** Exports the empty disk over NBD and waits for the incoming migration, both on {@code bind}. */
  CloneEndpoints listen(InetAddress bindAddress) throws CloneException, InterruptedException;

  /** Waits until the migration completed; then stops the NBD export. */
  void awaitCloned(Duration timeout) throws CloneException, InterruptedException;

  /**
   * Starts following {@code replayFifo} (go-live at its end) and lets the VM run. Returns once QEMU
   * read the log's header and first event, so a writer must be feeding it.
   */
  void startFollowing(Path replayFifo) throws CloneException, InterruptedException;
}
