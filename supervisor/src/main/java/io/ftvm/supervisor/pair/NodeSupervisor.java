package io.ftvm.supervisor.pair;

import io.ftvm.channel.ChannelSecurity;
import io.ftvm.channel.ChannelSettings;
import io.ftvm.channel.ChannelStats;
import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.channel.ErrorCode;
import io.ftvm.channel.LogStreamListener;
import io.ftvm.channel.LogStreamReceiver;
import io.ftvm.channel.LogStreamSender;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.fencing.ExternalCommandFencer;
import io.ftvm.fencing.Fencer;
import io.ftvm.fencing.OutputGate;
import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
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
import io.ftvm.supervisor.nativeos.RealtimeThreadPriority;
import io.ftvm.supervisor.nativeos.TapDevice;
import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's supervisor for one protected VM: starts QEMU as recording primary or following backup,
 * wires log, outputs and the logging channel, and hands role changes to their transitions ({@link
 * BackupGoLive}, {@link PrimaryContinueAlone}, {@link PlannedHandoff}, {@link NodeHalt}). Every
 * role decision runs on one thread ({@code decisions}), so a peer-lost report, a peer's failure
 * notice, a handoff, a failover command and a QEMU death can never interleave.
 */
public final class NodeSupervisor implements AutoCloseable, ControlTarget {
  private static final Logger log = LoggerFactory.getLogger(NodeSupervisor.class);

  /** How this node starts. */
  public enum StartMode {
    /** In the role the config gives it: recording primary or following backup. */
    PAIRED,
    /** The config's primary runs alone, protectable; protected later by a joining node. */
    UNPROTECTED,
    /** With no valid replica: discards its old state and joins as the backup of a new pairing. */
    JOIN;

    /**
     * How a daemon starts. A node whose config epoch is at or below the highest epoch claimed or
     * reserved on shared storage has stale state (it was fenced, or the pair re-protected without
     * it): it joins empty whatever was asked, never resuming with its old disk copy and log.
     */
    public static StartMode choose(
        boolean join, boolean unprotected, long configEpoch, long highestEpochOnStorage) {
      if (join || highestEpochOnStorage >= configEpoch) {
        return JOIN;
      }
      return unprotected ? UNPROTECTED : PAIRED;
    }
  }

  /** How often an alone primary looks for a pairing offer on shared storage. */
  private static final Duration OFFER_POLL = Duration.ofMillis(500);

  private static final Duration QEMU_STARTUP = Duration.ofSeconds(120);
  private static final Duration STORAGE_RETRY = Duration.ofMillis(250);
  private static final Duration TCP_PROBE_TIMEOUT = Duration.ofSeconds(1);

  /** SIGKILL of a loser's QEMU until it is gone (design.md: fencing bound). */
  static final Duration KILL_BOUND = Duration.ofSeconds(2);

  /** How long a primary whose QEMU died waits for the last log bytes before telling the backup. */
  private static final Duration FINAL_LOG_WAIT = Duration.ofMillis(200);

  /**
   * The recording QEMU's log pipe. Small on purpose: while flow control holds the log pump, QEMU
   * runs on until this pipe is full, so its size is how far a CPU-bound primary runs ahead of its
   * backup (a CPU-bound guest logs about 40-90 KB/s: 32 KiB is under a second; the former 1 MiB let
   * it run ~10 s ahead and then arrive at the backup as one burst).
   */
  private static final int RECORD_PIPE_BYTES = 32 << 10;

  private final PairConfig config;
  private final String nodeId;
  private final PairConfig.NodeSpec node;
  private final HypervisorDriver driver;
  private final NodeFiles files;
  private final RoleStateMachine roles = new RoleStateMachine();
  private final ExecutorService decisions =
      Executors.newSingleThreadExecutor(r -> daemonThread(r, "role-decisions"));
  private final CountDownLatch halted = new CountDownLatch(1);
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final LatencyRecorder outputHold = new LatencyRecorder(4096);
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final long startedNanos = System.nanoTime();
  private final GuestReadiness readiness;
  private final GuestAddressLearner addressLearner;
  private final QemuReplica replica;
  private final GoLiveArbiter arbiter;
  private final PairingLedger ledger;
  private final HypervisorCloning cloning;
  private final StartMode mode;
  private final Reprotection reprotection;
  private final ReprotectTrigger trigger;
  private final java.util.concurrent.ScheduledExecutorService offerWatch =
      Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "pairing-offers"));
  private final OutputGates outputs = new NodeOutputs();
  private final NodeHalt halt;
  private final GuardedClaim claim;
  private final Duration goLiveDeadline;
  private volatile BackupLogIntake intake =
      new BackupLogIntake(this::ackToPrimary, () -> closeQuietly(this.receiver));
  // Pair start: this replica's disks, and (on the backup) the check against the primary's.
  private volatile ReplicaDigest replicaDigest;
  private volatile ReplicaDigestGate digestGate;
  private volatile long epoch;
  // The other node of the current pairing: a/b at the config's epoch; after a join the primary
  // that cloned this node, after a re-protection the joiner (maybe a spare). "" while unknown.
  private volatile String peer;
  private final Map<Long, String> joinersByEpoch = new ConcurrentHashMap<>();
  private volatile BackupJoin join;
  private volatile NetdevConnection joinNetdev;

  // Outputs are tagged through these, so re-protection can switch them to a new stream.
  private final SwitchableTagger networkTagger = new SwitchableTagger(() -> Long.MAX_VALUE);
  private final SwitchableTagger consoleTagger = new SwitchableTagger(() -> 0);

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
  // The transitions of the role this node started in; built once its parts exist.
  private volatile PrimaryContinueAlone continueAlone;
  private volatile PlannedHandoff handoff;
  private volatile BackupGoLive backupGoLive;

  public NodeSupervisor(
      PairConfig config, String nodeId, HypervisorDriver driver, GoLiveArbiter arbiter)
      throws IOException {
    this(config, nodeId, driver, arbiter, null, HypervisorCloning.UNAVAILABLE, StartMode.PAIRED);
  }

  /**
   * @param ledger pairing epochs on shared storage (re-protection); null: never re-protects
   * @param cloning what the hypervisor offers for cloning a running VM
   */
  public NodeSupervisor(
      PairConfig config,
      String nodeId,
      HypervisorDriver driver,
      GoLiveArbiter arbiter,
      PairingLedger ledger,
      HypervisorCloning cloning,
      StartMode mode)
      throws IOException {
    this.config = config;
    this.nodeId = nodeId;
    this.node = config.node(nodeId);
    this.driver = driver;
    this.arbiter = arbiter;
    this.ledger = ledger;
    this.cloning = cloning;
    // A spare never has a replica of its own: it always joins empty, whatever it was asked.
    this.mode = config.isSpare(nodeId) ? StartMode.JOIN : mode;
    this.epoch = config.epoch();
    // A joiner learns its peer (the primary) from shared storage before it offers itself.
    this.peer = this.mode == StartMode.JOIN ? "" : config.peerOf(nodeId);
    this.files = NodeFiles.prepare(node.stateDirectory(), config.epoch());
    this.replica = new QemuReplica(files.qemuLog(), KILL_BOUND);
    this.goLiveDeadline = Duration.ofMillis(config.timing().goLiveDeadlineMillis());
    this.addressLearner =
        new GuestAddressLearner(MacAddress.parse(config.vm().mac()), this::guestAddressLearned);
    this.readiness =
        new GuestReadiness(
            config.vm().readinessProbe(), () -> (System.nanoTime() - startedNanos) / 1_000_000);
    this.halt =
        new NodeHalt(
            this::ids,
            roles,
            outputs,
            replica,
            new ChannelPeerLink(),
            fenceHook(),
            KILL_BOUND,
            halted::countDown);
    this.claim = claimFor(config.epoch());
    this.reprotection =
        new Reprotection(
            roles,
            outputs,
            (target, fifo, progress) ->
                cloning
                    .sourceOf(
                        replica
                            .vm()
                            .orElseThrow(() -> new IOException("this node's QEMU is not running")))
                    .cloneTo(target, fifo, progress),
            this::openPairingStream,
            new NodePrimaryEpochs(),
            ReprotectBackoff.defaults(),
            Reprotection.Timeouts.defaults(),
            System::nanoTime);
    this.trigger =
        ledger == null
            ? null
            : new ReprotectTrigger(
                ledger,
                config.vmId(),
                nodeId,
                config::knows,
                backupCandidates(config, nodeId),
                () -> epoch,
                roles::role,
                this::startReprotectionFromWatcher);
    roles.onChange(
        (from, to) -> {
          if (to == NodeRole.PRIMARY_ALONE && from != to) {
            wentLiveNanos = System.nanoTime();
          }
          files.writeRole(to, roles.reason());
        });
  }

  /** Who may become this node's backup, for the log: "b or spare c". */
  private static String backupCandidates(PairConfig config, String nodeId) {
    List<String> pairNodes =
        config.nodes().keySet().stream().filter(n -> !n.equals(nodeId)).sorted().toList();
    List<String> spares =
        config.spares().keySet().stream().filter(n -> !n.equals(nodeId)).sorted().toList();
    String text = String.join(", ", pairNodes);
    if (!spares.isEmpty()) {
      text += (text.isEmpty() ? "" : " or ") + "spare " + String.join(", ", spares);
    }
    return text;
  }

  /** The other node of this node's current pairing ("" while a joiner has not learned it). */
  public String peer() {
    return peer;
  }

  private Optional<Fencer> fenceHook() {
    if (config.fenceCommand() == null || config.fenceCommand().isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        new ExternalCommandFencer(
            "fence-command", List.of("sh", "-c", config.fenceCommand()), Duration.ofSeconds(10)));
  }

  public NodeRole role() {
    return roles.role();
  }

  /** The pairing this node belongs to now (changes at re-protection and joins). */
  public long epoch() {
    return epoch;
  }

  private NodeIds ids() {
    return new NodeIds(config.vmId(), epoch, nodeId, peer);
  }

  private GuardedClaim claimFor(long pairingEpoch) {
    return new GuardedClaim(
        new GoLiveClaimant(arbiter, config.vmId(), pairingEpoch, nodeId, STORAGE_RETRY),
        roles,
        replica,
        () -> stopRequested.getCount() == 0,
        System::nanoTime);
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
    if (mode != StartMode.JOIN) {
      // A joining node has no log of the config's epoch: it discards what it had.
      store = ChronicleLogStore.open(files.logStore());
      resources.add(store);
    }
    console = new ConsolePath(files.consoleLog(), outputHold);
    console.watchOutput(readiness::accept);
    resources.add(console);
    if (mode == StartMode.PAIRED) {
      // Before QEMU runs: from then on the disks change. A joiner gets a clone instead.
      replicaDigest = ReplicaDigest.of(GuestHardware.replicaImages(config.vm(), node.disk()));
      log.info("replica disks' digest {} ({} ms)", replicaDigest.hex(), replicaDigest.millis());
    }
    if (mode == StartMode.JOIN) {
      startJoining(netdev);
    } else if (nodeId.equals(config.initialPrimary())) {
      startPrimary(netdev);
    } else {
      startBackup(netdev);
    }
    startTcpReadinessProbe();
    if (trigger != null) {
      offerWatch.scheduleWithFixedDelay(
          this::lookForOffers, OFFER_POLL.toMillis(), OFFER_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** With a TCP readiness probe: "guest up" once its port accepts (from whichever node is live). */
  private void startTcpReadinessProbe() {
    readiness
        .probe()
        .filter(ReadinessProbe::byTcp)
        .ifPresent(
            probe -> {
              TcpReadinessProbe tcp =
                  new TcpReadinessProbe(
                      probe.tcpPort(),
                      this::guestAddress,
                      () -> roles.role().releasesOutput(),
                      readiness,
                      TcpReadinessProbe.Connector.socket(),
                      TCP_PROBE_TIMEOUT);
              resources.add(tcp);
              tcp.start();
            });
  }

  /** The guest's IP: configured, else learned from its traffic. */
  private Optional<InetAddress> guestAddress() {
    String configured = config.vm().ip();
    if (configured != null) {
      return Optional.of(ipOf(configured));
    }
    return addressLearner.address().map(InetAddress.class::cast);
  }

  private void startPrimary(NetdevConnection netdev) throws IOException, VmLaunchException {
    Fifo fifo = freshReplayPipe();
    FifoReader pipe = fifo.openForReading();
    pipe.requestCapacity(RECORD_PIPE_BYTES);
    HeldOutputGate netGate = new HeldOutputGate("network", this::toLan, outputHold);
    PrimaryLogPump logPump = new PrimaryLogPump(pipe, store, LogShipper.NOBODY);
    pump = logPump;
    resources.add(logPump);
    networkTagger.switchTo(logPump);
    consoleTagger.switchTo(logPump);
    network = new GuestNetworkPath(netdev, tap, netGate, networkTagger, addressLearner);
    resources.add(network);

    PairConfig.NodeSpec backupNode = config.node(peer);
    LogStreamSender logSender =
        new LogStreamSender(
            backupNode.channelHost(),
            backupNode.channelPort(),
            identity(),
            channelSecurity(peer),
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
    logSender.onAck(new FirstAcknowledgment(position -> decide(() -> backupFollows(position))));
    logPump.shipTo(new WindowedShipper(logSender, roles));
    RecordedLog recorded = new RecordedLog(logPump, logSender);
    continueAlone =
        new PrimaryContinueAlone(
            roles, claim, recorded, outputs, halt, goLiveDeadline, System::nanoTime);
    handoff =
        new PlannedHandoff(
            ids(),
            roles,
            replica,
            recorded,
            new ChannelPeerLink(),
            halt,
            PlannedHandoff.Timeouts.defaults());

    boolean alone = mode == StartMode.UNPROTECTED;
    ReplaySpec replay =
        alone
            ? cloning.protectableSpec().orElse(ReplaySpec.record(files.replayPipe()))
            : ReplaySpec.record(files.replayPipe());
    EpochRunRecord.record(files.root(), epoch); // from here on this replica cannot come back
    VmInstance vm = driver.launch(launchSpec(replay));
    if (!replica.attach(vm)) {
      throw new VmLaunchException("node was stopped while QEMU started");
    }
    logPump.start();
    if (!alone) {
      logSender.start();
    }
    netdev.awaitConnected(QEMU_STARTUP);
    network.start(true);
    console.start(vm.console().guestOutput(), consoleTagger);
    vm.onExit().thenAccept(code -> decide(() -> onQemuExit(code)));
    if (alone) {
      logPump.shipTo(LogShipper.NOBODY);
      outputs.openUnprotected();
      roles.transition(
          NodeRole.PRIMARY_ALONE,
          "alone, UNPROTECTED (started unprotected); protect with 'ftvm protect' or by starting "
              + backupCandidates(config, nodeId));
      return;
    }
    // Protected only from the backup's first ack (backupFollows): it acks nothing before its
    // replica matched this one, so a refusing backup never shows this pair as protected.
    roles.explain(
        "recording; waiting for " + peer + " to match the replica disks and acknowledge log");
  }

  /**
   * The replay pipe, made anew: one left by an earlier daemon in this state directory (stopped,
   * killed) belongs to a QEMU that is gone, and mkfifo refuses to overwrite it (EEXIST), which made
   * every later start of this node fail.
   */
  private Fifo freshReplayPipe() throws IOException {
    java.nio.file.Files.deleteIfExists(files.replayPipe());
    return Fifo.create(files.replayPipe());
  }

  /** The backup acknowledged log for the first time: its replica matched and it follows. */
  private void backupFollows(long position) {
    if (roles.role() != NodeRole.STARTING) {
      return; // already alone or halted: a late ack of the first session changes nothing
    }
    roles.transition(
        NodeRole.PRIMARY_PROTECTED,
        "recording; streaming to "
            + peer
            + " (replicas matched, first ack at byte "
            + position
            + ")");
  }

  private void startBackup(NetdevConnection netdev) throws IOException {
    Fifo fifo = freshReplayPipe();
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
    BackupLogFeeder logFeeder =
        BackupLogFeeder.forFifo(
            store,
            qemuPipe,
            ReplayBounds.of(config.timing()),
            intake::ack,
            // A stalled replay cannot take over: leave the pair loudly so the primary goes on
            // alone at once (PEER_FAILED). Only while following: a go-live already under way ends
            // in live or halted on its own.
            why ->
                decide(
                    () -> {
                      if (roles.role() == NodeRole.BACKUP_REPLAYING) {
                        localReplicaFailed(why);
                      }
                    }));
    feeder = logFeeder;
    intake.feedInto(logFeeder);
    ReplicaDigest digest = replicaDigest;
    digestGate =
        digest == null
            ? null
            : new ReplicaDigestGate(
                digest.wireValue(),
                position -> receiver.ack(position),
                why -> {
                  log.error("{}", why);
                  localReplicaFailed(why);
                });
    backupGoLive =
        new BackupGoLive(
            roles,
            intake,
            replica,
            claim,
            outputs,
            this::takeOverLan,
            halt,
            goLiveDeadline,
            Duration.ofMillis(config.timing().detectionTimeoutMillis()),
            System::nanoTime);
    resources.add(logFeeder);
    // A replaying QEMU's outputs are discarded (filter-replay drops its frames) until it is live.
    HeldOutputGate netGate = new HeldOutputGate("network", this::toLan, outputHold);
    network = new GuestNetworkPath(netdev, tap, netGate, networkTagger, addressLearner);
    resources.add(network);
    console.gate().openUnprotected(); // the backup's console shows the replayed history as is

    LogStreamReceiver logReceiver =
        new LogStreamReceiver(
            new InetSocketAddress(node.channelHost(), node.channelPort()),
            identity(),
            channelSecurity(peer),
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
            EpochRunRecord.record(files.root(), epoch); // this replica cannot come back either
            VmInstance vm =
                driver.launch(launchSpec(ReplaySpec.replay(files.replayPipe(), true, true)));
            if (!replica.attach(vm)) {
              return; // this node halted while QEMU started: QEMU was killed, nothing to wire
            }
            vm.onExit().thenAccept(code -> decide(() -> onQemuExit(code)));
            netdev.awaitConnected(QEMU_STARTUP);
            network.start(false);
            console.start(vm.console().guestOutput(), consoleTagger);
            log.info("backup QEMU replaying (pid {})", vm.pid());
          } catch (VmLaunchException | IOException e) {
            log.error("backup QEMU failed to start: {}", e.getMessage());
            decide(() -> replicaFailed("backup QEMU failed to start: " + e.getMessage()));
          }
        },
        Executors.newSingleThreadExecutor(r -> daemonThread(r, "backup-launch")));
  }

  /**
   * This node has no valid replica (it was fenced, or its daemon restarted after the pair went on):
   * it joins empty as the backup of a new pairing ({@link BackupJoin}) on its own thread.
   */
  private void startJoining(NetdevConnection netdev) {
    if (ledger == null) {
      throw new IllegalStateException("joining needs the pairing ledger on shared storage");
    }
    console.gate().openUnprotected(); // the backup's console shows the replayed history as is
    joinNetdev = netdev;
    BackupJoin joining =
        new BackupJoin(
            ids(),
            roles,
            new DiskReplicaState(node.stateDirectory(), node.disk()),
            this::launchCloneTarget,
            ledger,
            new ArbiterPrimaryLocator(
                arbiter, config.vmId(), config.epoch(), config.initialPrimary()),
            this::listenForPrimary,
            new NodeBackupEpochs(),
            BackupJoin.Timeouts.defaults(),
            () -> stopRequested.getCount() == 0);
    join = joining;
    Thread thread =
        daemonThread(
            () -> {
              try {
                if (joining.run()) {
                  log.info("joined: backup of epoch {}", epoch);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                log.error("joining failed; halting", e);
                decide(() -> halt.halt("joining failed: " + e));
              }
            },
            "join");
    thread.start();
  }

  private CloneTargets.Target launchCloneTarget() throws IOException {
    ReplaySpec spec = cloning.cloneTargetSpec().orElseThrow(HypervisorCloning::cannotJoin);
    if (joinNetdev.isConnected()) {
      // A failed attempt's QEMU used it: each clone target gets a NIC socket of its own.
      closeQuietly(joinNetdev);
      joinNetdev = NetdevConnection.bind(files.netdevSocket());
    }
    VmInstance vm;
    try {
      vm = driver.launch(launchSpec(spec));
    } catch (VmLaunchException e) {
      throw new IOException("clone target QEMU failed to start: " + e.getMessage(), e);
    }
    if (!replica.attach(vm)) {
      throw new IOException("node was stopped while the clone target started");
    }
    CloneTargets.Target target = cloning.targetOf(vm, ipOf(node.channelHost()));
    return new CloneTargets.Target() {
      @Override
      public JoinOffer listen() throws IOException {
        return target.listen();
      }

      @Override
      public boolean awaitCloned(Duration timeout) throws IOException, InterruptedException {
        return target.awaitCloned(timeout);
      }

      @Override
      public void startFollowing(java.nio.file.Path replayFifo) throws IOException {
        target.startFollowing(replayFifo);
      }

      @Override
      public void kill() {
        target.kill();
        vm.kill();
      }
    };
  }

  /**
   * This node's end of the logging channel to {@code peerNode}: mutual TLS pinning that node's
   * name, or the explicit pre-shared key.
   */
  private ChannelSecurity channelSecurity(String peerNode) throws IOException {
    return ChannelCredentialFiles.load(config, nodeId, peerNode);
  }

  private JoinSessions.Session listenForPrimary(long pairingEpoch, String primary)
      throws IOException {
    NodeFiles epochFiles = new NodeFiles(files.root(), pairingEpoch);
    return ChannelJoinSession.listen(
        new NodeIdentity(nodeId, config.vmId(), pairingEpoch),
        new InetSocketAddress(node.channelHost(), node.channelPort()),
        channelSecurity(primary),
        channelSettings(),
        epochFiles.logStore(),
        epochReplayPipe(pairingEpoch),
        ReplayBounds.of(config.timing()),
        why ->
            decide(
                () -> {
                  if (roles.role() == NodeRole.BACKUP_REPLAYING) {
                    localReplicaFailed(why);
                  }
                }));
  }

  private java.nio.file.Path epochReplayPipe(long pairingEpoch) {
    return files.root().resolve("replay-epoch-" + pairingEpoch + ".fifo");
  }

  /** The finished join's parts become this node's backup parts at the new epoch. */
  private final class NodeBackupEpochs implements BackupEpochs {

    @Override
    public java.nio.file.Path replayFifo(long pairingEpoch) {
      return epochReplayPipe(pairingEpoch);
    }

    @Override
    public void adopt(
        long pairingEpoch,
        String primary,
        CloneTargets.Target target,
        JoinSessions.Session session) {
      ChannelJoinSession joined = (ChannelJoinSession) session;
      epoch = pairingEpoch;
      peer = primary;
      store = joined.store();
      feeder = joined.feeder();
      receiver = joined.receiver();
      intake = joined.intake();
      resources.add(joined);
      backupGoLive =
          new BackupGoLive(
              roles,
              joined.intake(),
              replica,
              claimFor(pairingEpoch),
              outputs,
              NodeSupervisor.this::takeOverLan,
              halt,
              goLiveDeadline,
              Duration.ofMillis(config.timing().detectionTimeoutMillis()),
              System::nanoTime);
      joined.joined(
          new ChannelJoinSession.AfterJoin() {
            @Override
            public void peerLost(String reason) {
              decide(() -> NodeSupervisor.this.peerLost(reason));
            }

            @Override
            public void control(ControlMessage message) {
              new BackupChannelListener().onControl(message);
            }
          });
      NetdevConnection netdev = joinNetdev;
      resources.add(netdev);
      network =
          new GuestNetworkPath(
              netdev,
              tap,
              new HeldOutputGate("network", NodeSupervisor.this::toLan, outputHold),
              networkTagger,
              addressLearner);
      resources.add(network);
      replica
          .vm()
          .ifPresent(
              vm -> {
                vm.onExit().thenAccept(code -> decide(() -> onQemuExit(code)));
                try {
                  netdev.awaitConnected(QEMU_STARTUP);
                  network.start(false);
                  console.start(vm.console().guestOutput(), consoleTagger);
                } catch (IOException e) {
                  log.error("cloned replica's NIC did not connect: {}", e.getMessage());
                }
              });
    }
  }

  /** An alone primary's offer watch: runs on its own thread, starts on the decision thread. */
  private void lookForOffers() {
    if (roles.role() != NodeRole.PRIMARY_ALONE) {
      return;
    }
    try {
      trigger.poll();
    } catch (RuntimeException e) {
      log.warn("looking for pairing offers failed: {}", e.toString());
    }
  }

  private String startReprotectionFromWatcher(PairingRecord pairing) {
    CompletableFuture<String> result = new CompletableFuture<>();
    decide(() -> result.complete(reprotection.start(pairing)));
    try {
      return result.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (Exception e) {
      return "could not start: " + e;
    }
  }

  /**
   * {@code ftvm protect}: re-protect now if a backup host offered itself (no waiting out a
   * backoff).
   *
   * @return what happened ("re-protecting: …", or why not)
   */
  public String protect() {
    if (trigger == null) {
      return "this node has no pairing ledger: cannot re-protect";
    }
    NodeRole role = roles.role();
    if (role == NodeRole.REPROTECTING) {
      return "already re-protecting (" + roles.reason() + ")";
    }
    if (role == NodeRole.PRIMARY_PROTECTED) {
      return "already protected at epoch " + epoch;
    }
    if (role != NodeRole.PRIMARY_ALONE) {
      return "only an alone primary can be re-protected; this node is " + role;
    }
    reprotection.skipBackoff();
    return trigger.poll();
  }

  private PairingStream openPairingStream(PairingRecord pairing, JoinOffer offer)
      throws IOException {
    long pairingEpoch = pairing.epoch();
    // The joiner may be the old peer or a spare: its own address and certificate name.
    String joiner = pairing.joinerNodeId();
    PairConfig.NodeSpec joinerNode = config.node(joiner);
    ChannelSecurity key = channelSecurity(joiner);
    joinersByEpoch.put(pairingEpoch, joiner);
    return ChannelPairingStream.open(
        new NodeIdentity(nodeId, config.vmId(), pairingEpoch),
        epochReplayPipe(pairingEpoch),
        new NodeFiles(files.root(), pairingEpoch).logStore(),
        (identity, source, listener) ->
            new LogStreamSender(
                joinerNode.channelHost(),
                joinerNode.channelPort(),
                identity,
                key,
                channelSettings(),
                source,
                listener,
                0),
        roles,
        new PrimaryChannelListener(),
        position -> {
          if (network != null) {
            network.gate().acknowledge(position);
          }
          console.gate().acknowledge(position);
        });
  }

  /** Re-protection switches the primary's epoch-bound parts to the new pairing. */
  private final class NodePrimaryEpochs implements PrimaryEpochs {
    @Override
    public PrimaryContinueAlone continueAloneFor(PairingStream stream) {
      return new PrimaryContinueAlone(
          roles, claimFor(stream.epoch()), stream, outputs, halt, goLiveDeadline, System::nanoTime);
    }

    @Override
    public void adopt(PairingStream stream, ReplicaCloner.Outcome clone) {
      ChannelPairingStream adopted = (ChannelPairingStream) stream;
      epoch = stream.epoch();
      peer = joinersByEpoch.getOrDefault(stream.epoch(), peer);
      pump = adopted.pump();
      sender = adopted.sender();
      // The joiner needs the guest's learned address to announce it should it go live.
      addressLearner.address().ifPresent(NodeSupervisor.this::sendGuestAddress);
      store = adopted.store();
      feeder = null; // a former backup's parts are closed; status shows the primary's now
      receiver = null;
      backupGoLive = null;
      resources.add(adopted.pump());
      resources.add(adopted.sender());
      resources.add(adopted.store());
      continueAlone = continueAloneFor(stream);
      handoff =
          new PlannedHandoff(
              ids(),
              roles,
              replica,
              stream,
              new ChannelPeerLink(),
              halt,
              PlannedHandoff.Timeouts.defaults());
    }
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
        .devices(guest.hardware() == null ? null : guest.hardware().devices(guest, node.disk()))
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
              halt.halt("internal error: " + e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("supervisor closing; decision dropped");
    }
  }

  private void peerLost(String reason) {
    peerLostNanos = System.nanoTime();
    switch (roles.role()) {
      case PRIMARY_PROTECTED -> continueAlone.run("backup lost: " + reason);
      // A primary whose backup never acknowledged (refused its disks, or failed to start).
      case STARTING -> {
        if (continueAlone != null && replica.vm().isPresent()) {
          continueAlone.run("backup lost before it followed: " + reason);
        } else {
          log.debug("peer lost ({}) while starting: nothing to do", reason);
        }
      }
      case BACKUP_REPLAYING -> backupGoLive.run("primary lost: " + reason, OptionalLong.empty());
      case REPROTECTING -> reprotection.peerLost(reason);
      default -> log.debug("peer lost ({}) while {}: nothing to do", reason, roles.role());
    }
  }

  /** The primary told this backup that its replica failed and it is fencing itself. */
  private void onPrimaryFailed(long logCompleteUpTo) {
    if (roles.role() != NodeRole.BACKUP_REPLAYING) {
      return;
    }
    peerLostNanos = System.nanoTime();
    backupGoLive.run(
        "primary "
            + peer
            + " reported its replica failed (PEER_FAILED, log complete up to byte "
            + logCompleteUpTo
            + ")",
        OptionalLong.of(logCompleteUpTo));
  }

  private void onHandoff(long endPosition) {
    if (roles.role() != NodeRole.BACKUP_REPLAYING) {
      return;
    }
    peerLostNanos = System.nanoTime();
    backupGoLive.run("planned failover from " + peer, OptionalLong.of(endPosition));
  }

  private void onQemuExit(int code) {
    String why = "own QEMU exited unexpectedly with status " + code;
    switch (roles.role()) {
      case HALTED -> log.debug("QEMU exited ({}) on a halted node", code);
      // A clone target that exits fails the join attempt, which starts over with a new one.
      case JOINING, CLONING -> log.warn("clone target QEMU exited with status {}", code);
      case PRIMARY_PROTECTED, BACKUP_REPLAYING, STARTING -> replicaFailed(why);
      default -> halt.halt(why);
    }
  }

  /**
   * This node's replica can no longer do its part (e.g. the backup's replay stalled): it fences
   * itself and tells the peer, which takes over at once. Safe from any thread.
   */
  public void localReplicaFailed(String why) {
    decide(() -> replicaFailed(why));
  }

  private void replicaFailed(String why) {
    switch (roles.role()) {
      case HALTED -> log.debug("replica failure ({}) on a halted node", why);
      case PRIMARY_PROTECTED, BACKUP_REPLAYING, STARTING ->
          halt.haltTellingPeer(why, logCompletePosition());
      default -> halt.halt(why);
    }
  }

  /** Where this node's log is complete: what the peer may count on from it. */
  private long logCompletePosition() {
    if (pump != null) {
      try {
        // QEMU's last bytes are still in the pipe for a moment after it died.
        pump.finished().get(FINAL_LOG_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.debug("log pump not finished: {}", e.toString());
      }
      return pump.storedPosition();
    }
    return feeder != null ? feeder.receivedPosition() : 0;
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
          try {
            if (handoff == null) {
              throw new IllegalStateException(
                  "failover needs a protected primary; this node is " + roles.role());
            }
            result.complete(handoff.run());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  // ---- status ----

  /** Role changes as they happen (metrics count failovers from them). */
  public void onRoleChange(java.util.function.BiConsumer<NodeRole, NodeRole> listener) {
    roles.onChange(listener);
  }

  @Override
  public NodeStatus status() {
    long now = System.nanoTime();
    NodeStatus.Builder status =
        NodeStatus.builder()
            .node(nodeId)
            .vmId(config.vmId())
            .epoch(epoch)
            .peer(peer)
            .role(roles.role())
            .reason(roles.reason())
            .uptimeMillis((now - startedNanos) / 1_000_000)
            .guest(guestView())
            .qemuPid(replica.pid())
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
          .throttled(stats.throttled())
          .throttledMillis(stats.throttledNanos() / 1_000_000);
      heartbeatFigures(status, stats);
    }
    if (feeder != null) {
      BackupLogFeeder.Progress replay = feeder.progress();
      status
          .logReceived(replay.received())
          .logReplayed(replay.consumed())
          .logAcked(replay.acknowledged())
          .replayBacklogBytes(replay.backlogBytes())
          .replayLagMillis(replay.lagMillis())
          .replayStalled(replay.stalled())
          .logBytesPerSecond(feeder.bytesPerSecond());
    }
    if (receiver != null) {
      heartbeatFigures(status, receiver.stats());
    }
    Reprotection.View reprotecting = reprotection.view();
    if (reprotecting.attempts() > 0) {
      status.reprotect(ReprotectStatus.of(reprotecting));
    }
    return status.build();
  }

  private GuestView guestView() {
    String ip = config.vm().ip();
    if (ip != null) {
      return new GuestView(
          readiness.readiness(), readiness.detail(), ip.split("/")[0], "configured");
    }
    return new GuestView(
        readiness.readiness(),
        readiness.detail(),
        addressLearner.address().map(Inet4Address::getHostAddress).orElse(""),
        addressLearner.address().isPresent() ? "learned from its traffic" : "");
  }

  /** On the primary: the backup must know it too, to announce it if it goes live. */
  private void guestAddressLearned(Inet4Address address) {
    log.info("guest's IP address {} learned from its traffic", address.getHostAddress());
    sendGuestAddress(address);
  }

  private void sendGuestAddress(Inet4Address address) {
    LogStreamSender toBackup = sender;
    if (toBackup != null) {
      toBackup.sendControl(
          new ControlMessage(ControlType.GUEST_ADDRESS, GuestAddressLearner.wireValue(address)));
    }
  }

  private static void heartbeatFigures(NodeStatus.Builder status, ChannelStats stats) {
    status
        .maxHeartbeatGapMillis(
            stats.heartbeatGapP999Nanos() < 0 ? -1 : stats.maxHeartbeatGapNanos() / 1_000_000)
        .heartbeatGapP999Millis(
            stats.heartbeatGapP999Nanos() < 0 ? -1 : stats.heartbeatGapP999Nanos() / 1_000_000)
        .maxLocalStallMillis(stats.maxLocalStallNanos() / 1_000_000);
  }

  // ---- plumbing ----

  private void toLan(byte[] frame) throws IOException {
    tap.writeFrame(frame, 0, frame.length);
  }

  private void takeOverLan() {
    network.acceptInbound(true);
    String configured = config.vm().ip();
    Inet4Address ip =
        configured != null
            ? (Inet4Address) ipOf(configured)
            : addressLearner.address().orElse(null);
    network.announce(
        MacAddress.parse(config.vm().mac()),
        ip,
        configured != null ? "configured" : "learned from its traffic",
        3);
  }

  /** The feeder's acks: through the replica check while the backup has one. */
  private void ackToPrimary(long position) {
    ReplicaDigestGate gate = digestGate;
    if (gate != null) {
      gate.ack(position);
    } else {
      receiver.ack(position);
    }
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
    return new NodeIdentity(nodeId, config.vmId(), epoch);
  }

  private ChannelSettings channelSettings() {
    PairConfig.Timing timing = config.timing();
    return ChannelSettings.defaults()
        .withHeartbeat(
            Duration.ofMillis(timing.heartbeatMillis()),
            Duration.ofMillis(timing.detectionTimeoutMillis()))
        .withFlowControl(timing.maxUnackedBytes(), Duration.ofMillis(timing.maxLagMillis()))
        .withThreadPriority(RealtimeThreadPriority.create());
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
    reprotection.cancel("stopped by admin");
    decide(() -> halt.halt("stopped by admin"));
  }

  /** A halted node stays up to answer status until the admin stops it. */
  public void awaitStopRequested() throws InterruptedException {
    stopRequested.await();
  }

  @Override
  public void close() {
    if (roles.role() != NodeRole.HALTED) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      try {
        decisions.execute(
            () -> {
              halt.halt("supervisor shutting down");
              done.complete(null);
            });
        done.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
      } catch (java.util.concurrent.RejectedExecutionException e) {
        log.debug("decisions already shut down");
      }
    }
    offerWatch.shutdownNow();
    reprotection.close();
    decisions.shutdownNow();
    replica.vm().ifPresent(VmInstance::close);
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

  /** The network and console gates, whichever exist yet. */
  private final class NodeOutputs implements OutputGates {
    @Override
    public void openUnprotected() {
      if (network != null) {
        network.gateOpen();
      }
      if (console != null) {
        console.gate().openUnprotected();
      }
    }

    @Override
    public void holdForNewStream(OutputTagger newStream) {
      networkTagger.switchTo(newStream);
      consoleTagger.switchTo(newStream);
      if (network != null) {
        network.gate().holdForNewStream();
      }
      if (console != null) {
        console.gate().holdForNewStream();
      }
    }

    @Override
    public List<OutputGate> gates() {
      List<OutputGate> gates = new ArrayList<>(2);
      if (network != null) {
        gates.add(network.gate());
      }
      if (console != null) {
        gates.add(console.gate());
      }
      return gates;
    }
  }

  /** Whichever end of the logging channel this node has. */
  private final class ChannelPeerLink implements PeerLink {
    @Override
    public boolean send(ControlMessage message) {
      LogStreamSender toBackup = sender;
      if (toBackup != null) {
        return toBackup.sendControl(message);
      }
      LogStreamReceiver toPrimary = receiver;
      return toPrimary != null && toPrimary.sendControl(message);
    }

    @Override
    public void disconnect() {
      closeQuietly(sender);
      closeQuietly(receiver);
    }
  }

  private final class PrimaryChannelListener implements io.ftvm.channel.ChannelListener {
    @Override
    public void onPeerLost(String reason, long lastHeardNanos) {
      decide(() -> peerLost(reason));
    }

    /** The replica check first: the backup acknowledges nothing before it matched. */
    @Override
    public void onSessionEstablished(NodeIdentity peer, long peerLogPosition) {
      LogStreamSender toBackup = sender;
      ReplicaDigest digest = replicaDigest;
      if (toBackup != null && digest != null) {
        toBackup.sendControl(new ControlMessage(ControlType.REPLICA_DIGEST, digest.wireValue()));
      }
      addressLearner.address().ifPresent(NodeSupervisor.this::sendGuestAddress);
    }

    @Override
    public void onControl(ControlMessage message) {
      if (message.type() == ControlType.REPROTECT_ABORTED) {
        log.warn(
            "joiner {} gave up pairing epoch {} (REPROTECT_ABORTED)",
            joinersByEpoch.getOrDefault(message.position(), "?"),
            message.position());
        decide(
            () -> {
              if (roles.role() == NodeRole.REPROTECTING) {
                reprotection.peerLost(
                    "joiner gave up pairing epoch " + message.position() + " (REPROTECT_ABORTED)");
              }
            });
        return;
      }
      if (message.type() == ControlType.PEER_FAILED) {
        log.warn(
            "BACKUP {} REPORTS ITS REPLICA FAILED (PEER_FAILED at byte {}): going on alone,"
                + " UNPROTECTED",
            peer,
            message.position());
        decide(
            () ->
                peerLost(
                    "backup "
                        + peer
                        + " reported its replica failed (PEER_FAILED at byte "
                        + message.position()
                        + ")"));
      }
    }

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      log.info("logging channel session closed: {} {}", code, reason);
    }
  }

  private final class BackupChannelListener implements LogStreamListener {
    @Override
    public void onLog(long startPosition, ByteBuffer data) {
      intake.accept(startPosition, data);
    }

    @Override
    public void onPeerLost(String reason, long lastHeardNanos) {
      decide(() -> peerLost(reason));
    }

    @Override
    public void onControl(ControlMessage message) {
      switch (message.type()) {
        case HANDOFF_REQUEST -> decide(() -> onHandoff(message.position()));
        case GUEST_ADDRESS -> {
          Inet4Address address = GuestAddressLearner.fromWire(message.position());
          log.info("the primary saw the guest use IP address {}", address.getHostAddress());
          addressLearner.adopt(address);
        }
        case REPLICA_DIGEST -> {
          ReplicaDigestGate gate = digestGate;
          if (gate != null) {
            gate.peerDigest(message.position());
          }
        }
        case PEER_FAILED -> {
          log.warn(
              "PRIMARY {} REPORTS ITS REPLICA FAILED (PEER_FAILED, log complete up to byte {}):"
                  + " taking over now",
              peer,
              message.position());
          decide(() -> onPrimaryFailed(message.position()));
        }
        default -> log.debug("control message {} ignored", message);
      }
    }

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      log.info("logging channel session closed: {} {}", code, reason);
    }
  }
}
