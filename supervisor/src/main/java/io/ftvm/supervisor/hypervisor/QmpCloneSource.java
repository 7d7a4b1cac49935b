package io.ftvm.supervisor.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.qmp.QmpClient;
import io.ftvm.supervisor.qmp.QmpEvent;
import io.ftvm.supervisor.qmp.QmpEventListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clones a running QEMU ({@link ReplayMode#PROTECTABLE}, a replaying VM that went live, or a
 * recording primary) over its QMP session, with qemu-patches 0009.
 *
 * <p>The disk is mirrored to the target's NBD export while the VM runs, without a log (a recording
 * VM's log is ended first: the mirror's reads pass through {@code blkreplay}); once the mirror is
 * in sync, RAM is pre-copied. The migration pauses before the switch-over ({@code
 * pause-before-switchover}) with the VM stopped: the READY mirror is then cancelled, which QEMU
 * completes with the target in sync and the source left on its own image; the migration sends the
 * last dirty RAM and the device state; {@code x-ftvm-record-start} starts the new log at that exact
 * state and resumes the VM in the same step ({@code resume}, qemu-patches 0014): a separate {@code
 * cont} let the main loop log a timer checkpoint while the VM was stopped, which the clone then
 * processed in another run state and diverged.
 */
public final class QmpCloneSource implements CloneSource {
  private static final Logger log = LoggerFactory.getLogger(QmpCloneSource.class);
  static final String NBD_NODE = "ftvm-clone-nbd";
  static final String MIRROR_JOB = "ftvm-clone-mirror";

  private final CloneQmp qmp;
  private final String diskNode;
  private final CloneSettings settings;

  public QmpCloneSource(QmpClient qmp) {
    this(qmp, QemuCommandLine.REPLAY_DISK_ID, CloneSettings.defaults());
  }

  /**
   * @param diskNode the guest disk's root node or drive: {@code blkreplay}'s (QEMU mirrors only
   *     root nodes). Without a log, blkreplay passes the mirror's reads straight through, so they
   *     never reach a replay log; the clone therefore ends a recording before it copies.
   */
  public QmpCloneSource(QmpClient qmp, String diskNode, CloneSettings settings) {
    this.qmp = new CloneQmp(Objects.requireNonNull(qmp, "qmp"), settings.commandTimeout());
    this.diskNode = Objects.requireNonNull(diskNode, "diskNode");
    this.settings = settings;
  }

  @Override
  public CloneOutcome cloneTo(
      CloneEndpoints target, Path newRecordingFifo, Consumer<CloneProgress> progress)
      throws CloneException, InterruptedException {
    long start = System.nanoTime();
    Steps done = new Steps();
    PauseClock pause = new PauseClock();
    qmp.qmpClient().addEventListener(pause);
    try {
      endRecordingIfAny();
      addNbdTarget(target);
      done.nbdNode = true;
      startMirror();
      done.mirror = true;
      long diskBytes = awaitMirrorReady(progress);
      prepareMigration();
      long ramBytes;
      try (CloneQmp.EventWaiter preSwitchover = migrationStatus("pre-switchover");
          CloneQmp.EventWaiter completed = migrationStatus("completed")) {
        ObjectNode migrate = CloneQmp.args();
        migrate.put(
            "uri", "tcp:" + CloneQmp.host(target.migration()) + ":" + target.migration().getPort());
        pause.arm();
        qmp.call("migrate", migrate);
        done.migration = true;
        awaitPreSwitchover(preSwitchover, progress);
        // The VM is stopped from here on: keep this stretch short.
        diskBytes = completeMirror();
        done.mirror = false;
        ObjectNode cont = CloneQmp.args();
        cont.put("state", "pre-switchover");
        qmp.call("migrate-continue", cont);
        completed.await(settings.switchTimeout(), "migration completing after the switch-over");
        done.migration = false;
        ramBytes = qmp.call("query-migrate").path("ram").path("transferred").asLong();
      }
      // The mirror's NBD client goes while the VM is stopped and has no log yet: deleted after the
      // switch, 'blockdev-del' got no answer and the source's QMP hung in 1 of 8 clones seen.
      removeNbdTarget();
      done.nbdNode = false;
      ObjectNode record = CloneQmp.args();
      record.put("path", newRecordingFifo.toString());
      record.put("resume", true);
      qmp.call("x-ftvm-record-start", record, settings.switchTimeout());
      Duration paused = pause.awaitResumed(settings.switchTimeout());
      Duration total = Duration.ofNanos(System.nanoTime() - start);
      progress.accept(
          new CloneProgress(
              CloneProgress.DONE, diskBytes, diskBytes, ramBytes, 0, 0, Duration.ZERO));
      log.info(
          "clone to {} done: pause {} ms, disk {} bytes, RAM {} bytes, total {} ms; recording into {}",
          target.migration(),
          paused.toMillis(),
          diskBytes,
          ramBytes,
          total.toMillis(),
          newRecordingFifo);
      return new CloneOutcome(paused, diskBytes, ramBytes, total);
    } catch (CloneException | RuntimeException e) {
      recover(done, e);
      throw e instanceof CloneException c
          ? c
          : new CloneException("clone failed: " + e.getMessage(), e);
    } finally {
      qmp.qmpClient().removeEventListener(pause);
    }
  }

  /** A recording VM's old log ends (with END) in a short pause: the copy runs without a log. */
  private void endRecordingIfAny() throws CloneException, InterruptedException {
    String mode = qmp.call("query-replay").path("mode").asText();
    if (mode.equals("none")) {
      return;
    }
    if (!mode.equals("record")) {
      throw new CloneException("cannot clone a VM in replay mode '" + mode + "'");
    }
    log.info("ending the current recording before cloning");
    qmp.call("stop");
    try {
      qmp.call("x-ftvm-record-stop");
    } finally {
      qmp.call("cont");
    }
  }

  private void addNbdTarget(CloneEndpoints target) throws CloneException, InterruptedException {
    ObjectNode server = CloneQmp.inet(target.nbd());
    server.put("type", "inet");
    ObjectNode node = CloneQmp.args();
    node.put("driver", "nbd");
    node.put("node-name", NBD_NODE);
    node.set("server", server);
    node.put("export", target.nbdExportName());
    qmp.call("blockdev-add", node);
  }

  private void removeNbdTarget() throws CloneException, InterruptedException {
    ObjectNode del = CloneQmp.args();
    del.put("node-name", NBD_NODE);
    qmp.call("blockdev-del", del);
  }

  private void startMirror() throws CloneException, InterruptedException {
    ObjectNode mirror = CloneQmp.args();
    mirror.put("job-id", MIRROR_JOB);
    mirror.put("device", diskNode);
    mirror.put("target", NBD_NODE);
    mirror.put("sync", "full");
    // Guest writes reach the target before they complete: the final sync in the pause is empty.
    mirror.put("copy-mode", settings.writeBlockingMirror() ? "write-blocking" : "background");
    qmp.call("blockdev-mirror", mirror);
  }

  private JsonNode mirrorJob() throws CloneException, InterruptedException {
    for (JsonNode job : qmp.call("query-block-jobs")) {
      if (job.path("device").asText().equals(MIRROR_JOB)) {
        return job;
      }
    }
    return null;
  }

  private long awaitMirrorReady(Consumer<CloneProgress> progress)
      throws CloneException, InterruptedException {
    Rate rate = new Rate();
    long deadline = System.nanoTime() + settings.diskTimeout().toNanos();
    while (true) {
      JsonNode job = mirrorJob();
      if (job == null) {
        throw new CloneException("the disk mirror ended before it was in sync");
      }
      long offset = job.path("offset").asLong();
      long len = job.path("len").asLong();
      double bps = rate.update(offset);
      progress.accept(
          new CloneProgress(
              CloneProgress.DISK, offset, len, 0, 0, bps, Rate.eta(len - offset, bps)));
      if (job.path("ready").asBoolean()) {
        log.info("disk mirror in sync: {} bytes", offset);
        return offset;
      }
      if (System.nanoTime() > deadline) {
        throw new CloneException(
            "disk mirror not in sync after " + settings.diskTimeout() + ": " + offset + "/" + len);
      }
      Thread.sleep(settings.pollInterval().toMillis());
    }
  }

  private void prepareMigration() throws CloneException, InterruptedException {
    ObjectNode caps = CloneQmp.args();
    var list = caps.putArray("capabilities");
    list.addObject().put("capability", "pause-before-switchover").put("state", true);
    list.addObject().put("capability", "events").put("state", true);
    qmp.call("migrate-set-capabilities", caps);
    ObjectNode params = CloneQmp.args();
    params.put("downtime-limit", settings.downtimeLimit().toMillis());
    params.put("max-bandwidth", settings.maxBandwidthBytesPerSecond());
    qmp.call("migrate-set-parameters", params);
  }

  private CloneQmp.EventWaiter migrationStatus(String status) {
    return qmp.waitFor("MIGRATION", d -> d.path("status").asText().equals(status));
  }

  private void awaitPreSwitchover(
      CloneQmp.EventWaiter preSwitchover, Consumer<CloneProgress> progress)
      throws CloneException, InterruptedException {
    Rate rate = new Rate();
    long deadline = System.nanoTime() + settings.ramTimeout().toNanos();
    long raiseAt = System.nanoTime() + settings.ramTimeout().toNanos() / 3;
    while (!preSwitchover.happened()) {
      JsonNode info = qmp.call("query-migrate");
      String status = info.path("status").asText();
      if (status.equals("pre-switchover")) {
        break;
      }
      if (status.equals("failed") || status.equals("cancelled")) {
        throw new CloneException(
            "migration " + status + ": " + info.path("error-desc").asText("(no reason given)"));
      }
      JsonNode ram = info.path("ram");
      long sent = ram.path("transferred").asLong();
      long remaining = ram.path("remaining").asLong();
      double bps = rate.update(sent);
      progress.accept(
          new CloneProgress(
              CloneProgress.RAM, 0, 0, sent, remaining, bps, Rate.eta(remaining, bps)));
      long now = System.nanoTime();
      if (now > deadline) {
        throw new CloneException(
            "RAM did not converge within " + settings.ramTimeout() + " (" + remaining + " dirty)");
      }
      if (now > raiseAt) {
        // A guest that dirties memory faster than we send it: accept a longer pause.
        ObjectNode params = CloneQmp.args();
        params.put("downtime-limit", settings.downtimeLimit().toMillis() * 5);
        qmp.call("migrate-set-parameters", params);
        log.warn("RAM not converging ({} bytes dirty); allowing a longer pause", remaining);
        raiseAt = Long.MAX_VALUE;
      }
      preSwitchover.awaitQuietly(settings.pollInterval());
    }
    JsonNode info = qmp.call("query-migrate").path("ram");
    progress.accept(
        new CloneProgress(
            CloneProgress.PAUSED,
            0,
            0,
            info.path("transferred").asLong(),
            info.path("remaining").asLong(),
            0,
            Duration.ZERO));
  }

  /** Cancelling a READY mirror completes it: the target is a point-in-time copy, no pivot. */
  private long completeMirror() throws CloneException, InterruptedException {
    JsonNode job = mirrorJob();
    if (job == null || !job.path("ready").asBoolean()) {
      throw new CloneException("the disk mirror is no longer in sync: " + job);
    }
    try (CloneQmp.EventWaiter completed =
        qmp.waitFor("BLOCK_JOB_COMPLETED", d -> d.path("device").asText().equals(MIRROR_JOB))) {
      ObjectNode cancel = CloneQmp.args();
      cancel.put("device", MIRROR_JOB);
      qmp.call("block-job-cancel", cancel);
      QmpEvent event = completed.await(settings.switchTimeout(), "disk mirror completing");
      if (event.data().has("error")) {
        throw new CloneException("disk mirror failed: " + event.data().path("error").asText());
      }
      return event.data().path("offset").asLong();
    }
  }

  /** Leaves the VM running on its own image, without a log, whatever failed. */
  private void recover(Steps done, Exception cause) throws InterruptedException {
    log.warn("clone failed, recovering the source VM: {}", cause.getMessage());
    if (done.migration) {
      quietly("migrate_cancel", null);
    }
    if (done.mirror) {
      ObjectNode cancel = CloneQmp.args();
      cancel.put("device", MIRROR_JOB);
      cancel.put("force", true);
      quietly("block-job-cancel", cancel);
    }
    long deadline = System.nanoTime() + settings.switchTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String migration = qmp.call("query-migrate").path("status").asText("none");
        boolean settled =
            !migration.equals("active")
                && !migration.equals("pre-switchover")
                && !migration.equals("device")
                && !migration.equals("cancelling")
                && mirrorJob() == null;
        if (settled) {
          break;
        }
      } catch (CloneException e) {
        log.warn("while recovering: {}", e.getMessage());
        break;
      }
      Thread.sleep(settings.pollInterval().toMillis());
    }
    if (done.nbdNode) {
      ObjectNode del = CloneQmp.args();
      del.put("node-name", NBD_NODE);
      quietly("blockdev-del", del);
    }
    try {
      String state = qmp.runState();
      if (!state.equals("running")) {
        log.warn("source VM is '{}' after the failed clone: resuming it", state);
        qmp.call("cont");
      }
    } catch (CloneException e) {
      log.error("could not make sure the source VM runs again: {}", e.getMessage());
    }
  }

  private void quietly(String command, ObjectNode arguments) throws InterruptedException {
    try {
      qmp.call(command, arguments);
    } catch (CloneException e) {
      log.debug("recovery step {} failed: {}", command, e.getMessage());
    }
  }

  /** What has to be undone on failure. */
  private static final class Steps {
    boolean nbdNode;
    boolean mirror;
    boolean migration;
  }

  /** The guest's pause as QEMU timed it: its last STOP event to the RESUME after it. */
  private static final class PauseClock implements QmpEventListener {
    private Instant armedAt = Instant.MAX;
    private Instant stopped;
    private Duration pause;

    /** Only a STOP after now counts (a recording VM is stopped briefly before). */
    synchronized void arm() {
      armedAt = Instant.now().minusMillis(1);
      stopped = null;
      pause = null;
    }

    @Override
    public synchronized void onEvent(QmpEvent event) {
      if (event.timestamp().isBefore(armedAt)) {
        return;
      }
      if (event.name().equals("STOP")) {
        stopped = event.timestamp();
        pause = null;
      } else if (event.name().equals("RESUME") && stopped != null) {
        pause = Duration.between(stopped, event.timestamp());
        notifyAll();
      }
    }

    synchronized Duration awaitResumed(Duration limit) throws CloneException, InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (pause == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new CloneException("no RESUME event after the switch-over within " + limit);
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return pause;
    }
  }
}
