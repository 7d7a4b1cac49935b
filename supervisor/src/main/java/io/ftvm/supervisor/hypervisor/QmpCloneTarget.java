package io.ftvm.supervisor.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.qmp.QmpClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of a clone, over the QMP session of a QEMU launched with {@link
 * ReplaySpec#cloneTarget()} ({@code -incoming defer -S}, {@code rrlater=on}).
 */
public final class QmpCloneTarget implements CloneTarget {
  private static final Logger log = LoggerFactory.getLogger(QmpCloneTarget.class);
  static final String EXPORT_ID = "ftvm-clone-export";
  static final String EXPORT_NAME = "ftvm-clone-disk";

  private final CloneQmp qmp;
  private final String diskNode;
  private final CloneSettings settings;
  private boolean exporting;

  public QmpCloneTarget(QmpClient qmp) {
    this(qmp, QemuCommandLine.DISK_ID, CloneSettings.defaults());
  }

  /**
   * @param diskNode the node below {@code blkreplay} that holds the guest's disk
   */
  public QmpCloneTarget(QmpClient qmp, String diskNode, CloneSettings settings) {
    this.qmp = new CloneQmp(Objects.requireNonNull(qmp, "qmp"), settings.commandTimeout());
    this.diskNode = Objects.requireNonNull(diskNode, "diskNode");
    this.settings = settings;
  }

  @Override
  public CloneEndpoints listen(InetAddress bindAddress)
      throws CloneException, InterruptedException {
    InetSocketAddress nbd = new InetSocketAddress(bindAddress, freePort(bindAddress));
    InetSocketAddress migration = new InetSocketAddress(bindAddress, freePort(bindAddress));

    // No self-announcement after the load: virtio-net would arm a guest-visible timer that the
    // source never had, and the cloned VM's frames leave through the log's owner anyway.
    ObjectNode params = CloneQmp.args();
    params.put("announce-rounds", 0);
    qmp.call("migrate-set-parameters", params);
    ObjectNode caps = CloneQmp.args();
    caps.putArray("capabilities").addObject().put("capability", "events").put("state", true);
    qmp.call("migrate-set-capabilities", caps);

    ObjectNode addr = CloneQmp.args();
    addr.put("type", "inet");
    addr.set("data", CloneQmp.inet(nbd));
    ObjectNode server = CloneQmp.args();
    server.set("addr", addr);
    qmp.call("nbd-server-start", server);
    ObjectNode export = CloneQmp.args();
    export.put("type", "nbd");
    export.put("id", EXPORT_ID);
    export.put("node-name", qmp.nodeName(diskNode));
    export.put("name", EXPORT_NAME);
    export.put("writable", true);
    qmp.call("block-export-add", export);
    exporting = true;

    ObjectNode incoming = CloneQmp.args();
    incoming.put("uri", "tcp:" + CloneQmp.host(migration) + ":" + migration.getPort());
    qmp.call("migrate-incoming", incoming);
    CloneEndpoints endpoints = new CloneEndpoints(nbd, EXPORT_NAME, migration);
    log.info("clone target listening: {}", endpoints);
    return endpoints;
  }

  @Override
  public void awaitCloned(Duration timeout) throws CloneException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode info = qmp.call("query-migrate");
      String status = info.path("status").asText();
      if (status.equals("completed") && qmp.runState().equals("paused")) {
        break;
      }
      if (status.equals("failed") || status.equals("cancelled")) {
        throw new CloneException(
            "incoming migration " + status + ": " + info.path("error-desc").asText(""));
      }
      if (System.nanoTime() > deadline) {
        throw new CloneException(
            "incoming migration not complete within " + timeout + ": " + status);
      }
      Thread.sleep(Math.min(20, settings.pollInterval().toMillis()));
    }
    stopExport();
    log.info("clone received");
  }

  @Override
  public void startFollowing(Path replayFifo) throws CloneException, InterruptedException {
    if (exporting) {
      stopExport();
    }
    ObjectNode follow = CloneQmp.args();
    follow.put("path", replayFifo.toString());
    follow.put("golive", true);
    // Runs the VM as the first event arrives, in the same step: with a later cont, a checkpoint
    // the source logged while running could be processed here while stopped (qemu-patches 0014).
    follow.put("resume", true);
    qmp.call("x-ftvm-replay-start", follow, settings.switchTimeout());
    log.info("clone following {}", replayFifo);
  }

  private void stopExport() throws CloneException, InterruptedException {
    ObjectNode del = CloneQmp.args();
    del.put("id", EXPORT_ID);
    del.put("mode", "hard"); // the source's NBD client may still be connected
    qmp.call("block-export-del", del);
    qmp.call("nbd-server-stop");
    exporting = false;
  }

  private static int freePort(InetAddress bindAddress) throws CloneException {
    try (ServerSocket socket = new ServerSocket(0, 1, bindAddress)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CloneException("no free port on " + bindAddress + ": " + e.getMessage(), e);
    }
  }
}
