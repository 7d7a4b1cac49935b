package io.ftvm.supervisor.pair;

import io.ftvm.channel.ChannelSettings;
import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.channel.ErrorCode;
import io.ftvm.channel.LogStreamListener;
import io.ftvm.channel.LogStreamReceiver;
import io.ftvm.channel.LogStreamSender;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.channel.PreSharedKey;
import io.ftvm.fencing.ExternalCommandFencer;
import io.ftvm.fencing.FenceReport;
import io.ftvm.fencing.FenceRequest;
import io.ftvm.fencing.FencingSequence;
import io.ftvm.fencing.ProcessIdentity;
import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.replay.ChronicleLogStore;
import io.ftvm.replay.LogStore;
import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.HypervisorDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchException;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.nativeos.FifoWriter;
import io.ftvm.supervisor.nativeos.TapDevice;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's supervisor for one protected VM: starts QEMU as recording primary or following backup,
 * wires log, outputs and the logging channel, and carries out the role changes of shared/design.md.
 * Every role decision runs on one thread ({@code decisions}), so a peer-lost report, a handoff and
 * a failover command can never interleave.
 */
public final class NodeSupervisor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeSupervisor.class);
  private static final Duration QEMU_STARTUP = Duration.ofSeconds(120);
  private static final Duration STORAGE_RETRY = Duration.ofMillis(250);
  private static final Duration KILL_BOUND = Duration.ofSeconds(2);
  private static final String WENT_LIVE = "ftvm: replay went live";

  /**
   * The recording QEMU's log pipe. Small on purpose (wip-lag): while flow control holds the log
   * pump, QEMU runs on until this pipe is full, so its size is how far a CPU-bound primary runs
   * ahead of its backup (a CPU-bound guest logs about 40-90 KB/s: 32 KiB is under a second; the
   * former 1 MiB let it run ~10 s ahead and then arrive at the backup as one burst).
   */
  private static final int RECORD_PIPE_BYTES = 32 << 10;

  private final PairConfig config;
  private final String nodeId;
  private final PairConfig.NodeSpec node;
  private final HypervisorDriver driver;
  private final NodeFiles files;
  private final GoLiveClaimant claimant;
  private final RoleStateMachine roles = new RoleStateMachine();
  private final ExecutorService decisions =
      Executors.newSingleThreadExecutor(r -> daemonThread(r, "role-decisions"));
  private final CountDownLatch halted = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final LatencyRecorder outputHold = new LatencyRecorder(4096);
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final long startedNanos = System.nanoTime();

  private volatile VmInstance vm;
  private volatile TapDevice tap;
  private volatile GuestNetworkPath network;
  private volatile ConsolePath console;
  private volatile LogStore store;
  private volatile PrimaryLogPump pump;
  private volatile LogStreamSender sender;
  private volatile BackupLogFeeder feeder;
  private volatile LogStreamReceiver receiver;
  private volatile long wentLiveNanos = -1;
  private volatile long peerLostNanos = -1;

  public NodeSupervisor(
      PairConfig config, String nodeId, HypervisorDriver driver, GoLiveArbiter arbiter)
      throws IOException {
    this.config = config;
    this.nodeId = nodeId;
    this.node = config.node(nodeId);
    this.driver = driver;
    this.files = NodeFiles.prepare(node.stateDirectory(), config.epoch());
    this.claimant =
        new GoLiveClaimant(arbiter, config.vmId(), config.epoch(), nodeId, STORAGE_RETRY);
    roles.onChange((from, to) -> files.writeRole(to, roles.reason()));
  }

  public NodeRole role() {
    return roles.role();
  }

  public RoleStateMachine roles() {
    return roles;
  }

  /** Starts this node in the role the config gives it; returns once QEMU and the channel run. */
  public void start() throws IOException, VmLaunchException {
    tap = TapDevice.open(node.tapName());
    resources.add(tap);
    HostNetwork.attachToBridge(tap.name(), node.bridge());
    NetdevConnection netdev = NetdevConnection.bind(files.netdevSocket());
    resources.add(netdev);
    store = ChronicleLogStore.open(files.logStore());
    resources.add(store);
    console = new ConsolePath(files.consoleLog(), outputHold);
    resources.add(console);
    if (nodeId.equals(config.initialPrimary())) {
      startPrimary(netdev);
    } else {
      startBackup(netdev);
    }
  }

  private void startPrimary(NetdevConnection netdev) throws IOException, VmLaunchException {
    Fifo fifo = Fifo.create(files.replayPipe());
    FifoReader pipe = fifo.openForReading();
    pipe.requestCapacity(RECORD_PIPE_BYTES); // wip-lag
    HeldOutputGate netGate = new HeldOutputGate("network", this::toLan, outputHold);
    PrimaryLogPump logPump = new PrimaryLogPump(pipe, store, LogShipper.NOBODY);
    pump = logPump;
    resources.add(logPump);
    network = new GuestNetworkPath(netdev, tap, netGate, logPump);
    resources.add(network);

    PairConfig.NodeSpec peer = config.node(config.peerOf(nodeId));
    LogStreamSender logSender =
        new LogStreamSender(
            peer.channelHost(),
            peer.channelPort(),
            identity(),
            PreSharedKey.load(config.preSharedKeyFile()),
            channelSettings(),
            this::readStoredLog,
            new PrimaryChannelListener(),
            0);
    sender = logSender;
    resources.add(logSender);
    logSender.onAck(
        position -> {
          netGate.acknowledge(position);
          console.gate().acknowledge(position);
        });
    logPump.shipTo(new WindowedShipper(logSender, roles));

    vm = driver.launch(launchSpec(ReplaySpec.record(files.replayPipe())));
    logPump.start();
    logSender.start();
    netdev.awaitConnected(QEMU_STARTUP);
    network.start(true);
    console.start(vm.console().guestOutput(), logPump);
    vm.onExit().thenAccept(code -> decide(() -> onQemuExit(code)));
    roles.transition(
        NodeRole.PRIMARY_PROTECTED, "recording; streaming to " + config.peerOf(nodeId));
  }

  private void startBackup(NetdevConnection netdev) throws IOException {
    Fifo fifo = Fifo.create(files.replayPipe());
    CompletableFuture<FifoWriter> qemuPipe = new CompletableFuture<>();
    Thread opener =
        daemonThread(
            () -> {
              try {
                qemuPipe.complete(fifo.openForWriting());
              } catch (IOException e) {
                qemuPipe.completeExceptionally(e);
              }
            },
            "replay-pipe-open");
    opener.start();
    // ---- replay lag bound and watchdog (wip-lag) ----
    // A stalled replay cannot take over: leave the pair so the primary goes on alone. Only while
    // following: a go-live already under way ends in live or halted on its own.
    // TODO(lead): once NodeSupervisor.localReplicaFailed(why) exists (wip-sup), call it instead of
    // halt, so the primary is told at once rather than after the detection timeout.
    BackupLogFeeder logFeeder =
        BackupLogFeeder.forFifo(
            store,
            qemuPipe,
            ReplayBounds.of(config.timing()),
            p -> receiver.ack(p),
            why ->
                decide(
                    () -> {
                      if (roles.role() == NodeRole.BACKUP_REPLAYING) {
                        halt(why);
                      }
                    }));
    // ---- end wip-lag ----
    feeder = logFeeder;
    resources.add(logFeeder);
    // A replaying QEMU's outputs are discarded (filter-replay drops its frames) until it is live.
    HeldOutputGate netGate = new HeldOutputGate("network", this::toLan, outputHold);
    network = new GuestNetworkPath(netdev, tap, netGate, () -> Long.MAX_VALUE);
    resources.add(network);
    console.gate().openUnprotected(); // the backup's console shows the replayed history as is

    LogStreamReceiver logReceiver =
        new LogStreamReceiver(
            new InetSocketAddress(node.channelHost(), node.channelPort()),
            identity(),
            PreSharedKey.load(config.preSharedKeyFile()),
            channelSettings(),
            new BackupChannelListener(),
            0);
    receiver = logReceiver;
    resources.add(logReceiver);
    try {
      logReceiver.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding the logging channel", e);
    }
    logFeeder.start();
    roles.transition(NodeRole.BACKUP_REPLAYING, "waiting for the primary's log");

    // QEMU reads the log header before it even opens its monitor: launch once log flows.
    CompletableFuture.runAsync(
        () -> {
          try {
            vm = driver.launch(launchSpec(ReplaySpec.replay(files.replayPipe(), true, true)));
            netdev.awaitConnected(QEMU_STARTUP);
            network.start(false);
            console.start(vm.console().guestOutput(), () -> 0);
            vm.onExit().thenAccept(code -> decide(() -> onQemuExit(code)));
            log.info("backup QEMU replaying (pid {})", vm.pid());
          } catch (VmLaunchException | IOException e) {
            log.error("backup QEMU failed to start: {}", e.getMessage());
            decide(() -> halt("backup QEMU failed to start: " + e.getMessage()));
          }
        },
        Executors.newSingleThreadExecutor(r -> daemonThread(r, "backup-launch")));
  }

  private VmLaunchSpec launchSpec(ReplaySpec replay) {
    PairConfig.GuestSpec guest = config.vm();
    return VmLaunchSpec.builder()
        .name(config.vmId() + "-" + nodeId)
        .qemuBinary(config.qemuBinary())
        .kernel(guest.kernel())
        .initrd(guest.initrd())
        .disk(node.disk())
        .kernelAppend(guest.kernelAppend())
        .memoryMib(guest.memoryMib())
        .mac(guest.mac())
        .replay(replay)
        .netdevSocket(files.netdevSocket())
        .console(ConsoleSpec.socket(files.consoleSocket()))
        .qmpSocket(files.qmpSocket())
        .qemuLog(files.qemuLog())
        .startupTimeout(QEMU_STARTUP)
        .build();
  }

  // ---- role decisions (always on the decisions thread) ----

  private void decide(Runnable decision) {
    if (decisions.isShutdown()) {
      log.debug("supervisor closing; decision dropped");
      return;
    }
    try {
      decisions.execute(
          () -> {
            try {
              decision.run();
            } catch (RuntimeException e) {
              log.error("role decision failed; halting to stay safe", e);
              halt("internal error: " + e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("supervisor closing; decision dropped");
    }
  }

  private void peerLost(String reason) {
    peerLostNanos = System.nanoTime();
    switch (roles.role()) {
      case PRIMARY_PROTECTED -> primaryContinueAlone("backup lost: " + reason);
      case BACKUP_REPLAYING -> backupGoLive("primary lost: " + reason);
      default -> log.debug("peer lost ({}) while {}: nothing to do", reason, roles.role());
    }
  }

  private void primaryContinueAlone(String why) {
    if (!roles.transition(NodeRole.GOING_LIVE, why)) {
      return;
    }
    if (!winGoLive(why)) {
      return;
    }
    pump.shipTo(LogShipper.NOBODY);
    closeQuietly(sender);
    network.gateOpen();
    console.gate().openUnprotected();
    roles.transition(NodeRole.PRIMARY_ALONE, "won go-live for epoch " + config.epoch() + " alone");
  }

  private void backupGoLive(String why) {
    if (!roles.transition(NodeRole.GOING_LIVE, why)) {
      return;
    }
    closeQuietly(receiver); // no more log from a primary that may still be alive
    try {
      if (!feeder.awaitFed(Duration.ofMinutes(2))) {
        halt("could not hand the received log to QEMU: " + feeder.failure());
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      halt("interrupted while draining the log");
      return;
    }
    if (!winGoLive(why)) {
      return;
    }
    feeder.endStream();
    if (!awaitQemuLive(Duration.ofMinutes(2))) {
      halt("QEMU did not go live at the end of the replayed log");
      return;
    }
    wentLiveNanos = System.nanoTime();
    network.gateOpen();
    network.acceptInbound(true);
    network.announce(MacAddress.parse(config.vm().mac()), (Inet4Address) ipOf(config.vm().ip()), 3);
    roles.transition(
        NodeRole.PRIMARY_ALONE,
        "live after replaying " + feeder.fedPosition() + " bytes of log (" + why + ")");
  }

  /** Test-and-set for this (vm, epoch). Returns true if won; on a loss this node is halted. */
  private boolean winGoLive(String why) {
    Optional<GoLiveClaimant.Outcome> outcome = claimant.claim(why);
    if (outcome.isEmpty()) {
      return false;
    }
    if (!outcome.get().won()) {
      halt("lost go-live to " + outcome.get().winner());
      return false;
    }
    return true;
  }

  private boolean awaitQemuLive(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (Files.readString(files.qemuLog(), StandardCharsets.UTF_8).contains(WENT_LIVE)) {
          return true;
        }
      } catch (IOException e) {
        log.debug("reading QEMU log: {}", e.getMessage());
      }
      if (vm != null && !vm.isRunning()) {
        return false;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void onQemuExit(int code) {
    if (roles.role() == NodeRole.HALTED) {
      return;
    }
    // Our QEMU died on its own: the peer must take over, so stop looking alive to it.
    closeQuietly(sender);
    closeQuietly(receiver);
    halt("QEMU exited unexpectedly with status " + code);
  }

  /** Makes this node harmless: output gates first, then QEMU, then the admin's hook. */
  private void halt(String why) {
    FencingSequence.Builder fence = FencingSequence.builder(KILL_BOUND.plusSeconds(1));
    if (network != null) {
      fence.closeOutput(network.gate());
    }
    if (console != null) {
      fence.closeOutput(console.gate());
    }
    if (vm != null) {
      fence.killProcess(ProcessIdentity.of(vm.pid()), KILL_BOUND);
    }
    if (config.fenceCommand() != null && !config.fenceCommand().isBlank()) {
      fence.externalHook(
          new ExternalCommandFencer(
              "fence-command", List.of("sh", "-c", config.fenceCommand()), Duration.ofSeconds(10)));
    }
    FenceReport report =
        fence
            .build()
            .fence(
                new FenceRequest(
                    config.vmId(), config.epoch(), nodeId, config.peerOf(nodeId), why));
    log.info("fenced: {}", report.summary());
    closeQuietly(sender);
    closeQuietly(receiver);
    roles.transition(NodeRole.HALTED, why);
    halted.countDown();
  }

  // ---- planned failover ----

  /**
   * Planned switchover started on the primary: pause the VM, ship and get acknowledged every byte
   * of log (so every held output is released), tell the backup where the log ends, then halt.
   */
  public CompletableFuture<String> failover() {
    CompletableFuture<String> result = new CompletableFuture<>();
    decide(
        () -> {
          if (roles.role() != NodeRole.PRIMARY_PROTECTED) {
            result.completeExceptionally(
                new IllegalStateException(
                    "failover needs a protected primary; this node is " + roles.role()));
            return;
          }
          try {
            vm.qmp().execute("stop", null).get(10, TimeUnit.SECONDS);
            long end = logPositionAfterPause(Duration.ofSeconds(10));
            if (!awaitAck(end, Duration.ofSeconds(30))) {
              throw new IOException("backup did not acknowledge the log up to " + end);
            }
            sender.sendControl(new ControlMessage(ControlType.HANDOFF_REQUEST, end));
            halt("planned failover: handed off to " + config.peerOf(nodeId) + " at byte " + end);
            result.complete("handed off at log byte " + end);
          } catch (Exception e) {
            log.error("planned failover failed: {}", e.toString());
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /**
   * The log position that covers everything the VM did before it paused. A paused recording QEMU
   * keeps logging timer checkpoints (no guest instructions, no outputs), so the log never goes
   * quiet; but its main loop flushes before every poll, so once a flush window has passed after
   * {@code stop} returned and the pump has drained the pipe, all pre-pause events are stored.
   */
  private long logPositionAfterPause(Duration timeout) throws IOException, InterruptedException {
    long pausedAt = System.nanoTime();
    long flushWindow = Duration.ofMillis(100).toNanos();
    long deadline = pausedAt + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (System.nanoTime() - pausedAt >= flushWindow && pump.drained()) {
        return pump.storedPosition();
      }
      Thread.sleep(5);
    }
    throw new IOException("the log pipe did not drain after pausing the VM");
  }

  private boolean awaitAck(long position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sender.ackedPosition() < position) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private void onHandoff(long endPosition) {
    if (roles.role() != NodeRole.BACKUP_REPLAYING) {
      return;
    }
    if (feeder.receivedPosition() < endPosition) {
      log.warn(
          "handoff at {} but only {} bytes received; going live with what arrived",
          endPosition,
          feeder.receivedPosition());
    }
    backupGoLive("planned failover from " + config.peerOf(nodeId));
  }

  // ---- status ----

  public NodeStatus status() {
    long now = System.nanoTime();
    NodeStatus.Builder status =
        NodeStatus.builder()
            .node(nodeId)
            .vmId(config.vmId())
            .epoch(config.epoch())
            .role(roles.role())
            .reason(roles.reason())
            .uptimeMillis((now - startedNanos) / 1_000_000)
            .qemuPid(vm == null ? -1 : vm.pid())
            .outputHoldP50Micros(outputHold.percentileNanos(50) / 1000)
            .outputHoldP99Micros(outputHold.percentileNanos(99) / 1000)
            .peerLostToLiveMillis(
                peerLostNanos > 0 && wentLiveNanos > 0
                    ? (wentLiveNanos - peerLostNanos) / 1_000_000
                    : -1);
    if (network != null) {
      status.heldFrames(network.gate().heldCount()).heldBytes(network.gate().heldBytes());
    }
    if (pump != null) {
      status.logProduced(pump.storedPosition()).logBytesPerSecond(pump.bytesPerSecond());
    }
    if (sender != null) {
      var stats = sender.stats();
      status
          .logSent(stats.sentPosition())
          .logAcked(stats.ackedPosition())
          .ackRttP50Micros(stats.ackRttP50Nanos() / 1000)
          .ackRttP99Micros(stats.ackRttP99Nanos() / 1000)
          .throttled(stats.throttled());
    }
    if (feeder != null) {
      BackupLogFeeder.Progress replay = feeder.progress(); // wip-lag
      status
          .logReceived(replay.received())
          .logReplayed(replay.consumed())
          .logAcked(replay.acknowledged())
          .replayBacklogBytes(replay.backlogBytes())
          .replayLagMillis(replay.lagMillis())
          .replayStalled(replay.stalled())
          .logBytesPerSecond(feeder.bytesPerSecond());
    }
    return status.build();
  }

  // ---- plumbing ----

  private void toLan(byte[] frame) throws IOException {
    tap.writeFrame(frame, 0, frame.length);
  }

  private int readStoredLog(long position, ByteBuffer dst) {
    try {
      return store.readFrom(position, dst);
    } catch (IOException e) {
      log.warn("cannot read stored log at {}: {}", position, e.getMessage());
      return 0;
    }
  }

  private NodeIdentity identity() {
    return new NodeIdentity(nodeId, config.vmId(), config.epoch());
  }

  private ChannelSettings channelSettings() {
    PairConfig.Timing timing = config.timing();
    return ChannelSettings.defaults()
        .withHeartbeat(
            Duration.ofMillis(timing.heartbeatMillis()),
            Duration.ofMillis(timing.detectionTimeoutMillis()))
        .withFlowControl(timing.maxUnackedBytes(), Duration.ofMillis(timing.maxLagMillis()));
  }

  private static InetAddress ipOf(String cidrOrIp) {
    try {
      return InetAddress.getByName(cidrOrIp.split("/")[0]);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad guest IP " + cidrOrIp, e);
    }
  }

  /** Blocks until this node halted (lost go-live, handed off, QEMU died, or stopped). */
  public void awaitHalted() throws InterruptedException {
    halted.await();
  }

  public boolean awaitHalted(Duration timeout) throws InterruptedException {
    return halted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Admin stop: same as losing, without pretending anything failed. */
  public void stop() {
    stopRequested.countDown();
    decide(
        () -> {
          if (roles.role() != NodeRole.HALTED) {
            halt("stopped by admin");
          }
        });
  }

  /** A halted node stays up to answer status until the admin stops it. */
  public void awaitStopRequested() throws InterruptedException {
    stopRequested.await();
  }

  @Override
  public void close() {
    if (roles.role() != NodeRole.HALTED) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      decisions.execute(
          () -> {
            if (roles.role() != NodeRole.HALTED) {
              halt("supervisor shutting down");
            }
            done.complete(null);
          });
      done.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    decisions.shutdownNow();
    if (vm != null) {
      vm.close();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      closeQuietly(resources.get(i));
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      log.debug("closing {}: {}", resource, e.getMessage());
    }
  }

  private static Thread daemonThread(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private final class PrimaryChannelListener implements io.ftvm.channel.ChannelListener {
    @Override
    public void onPeerLost(String reason, long lastHeardNanos) {
      decide(() -> peerLost(reason));
    }

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      log.info("logging channel session closed: {} {}", code, reason);
    }
  }

  private final class BackupChannelListener implements LogStreamListener {
    @Override
    public void onLog(long startPosition, ByteBuffer data) {
      feeder.accept(startPosition, data);
    }

    @Override
    public void onPeerLost(String reason, long lastHeardNanos) {
      decide(() -> peerLost(reason));
    }

    @Override
    public void onControl(ControlMessage message) {
      if (message.type() == ControlType.HANDOFF_REQUEST) {
        decide(() -> onHandoff(message.position()));
      }
    }

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      log.info("logging channel session closed: {} {}", code, reason);
    }
  }
}
