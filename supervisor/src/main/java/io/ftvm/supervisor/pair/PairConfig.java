package io.ftvm.supervisor.pair;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Everything both supervisors of a pair agree on, as one JSON file. {@code ftvm start --pair}
 * writes it for a pair on this machine; on real hosts the admin writes it and runs {@code ftvm
 * start --config pair.json --node a} on host A and {@code --node b} on host B.
 *
 * @param vmId names the VM on shared storage (go-live records) and on the logging channel
 * @param epoch the protected pairing this config starts; a go-live record per (vmId, epoch)
 * @param qemuBinary the patched QEMU (see qemu-patches/)
 * @param vm the guest both replicas run, byte-identical on both hosts
 * @param nodes "a" and "b"; which one starts as primary is {@link #initialPrimary}
 * @param sharedDirectory shared storage for the go-live arbiter (NFS or a local dir for a local
 *     pair)
 * @param preSharedKeyFile key for the logging channel (same file content on both hosts): the
 *     explicit pre-shared-key mode, authenticated but NOT encrypted; only when {@code tlsDirectory}
 *     is absent
 * @param timing failure detection and flow control
 * @param fenceCommand optional STONITH-style command run when this node fences its peer's loss
 * @param tlsDirectory the logging channel's mutual-TLS credentials (the default, written by {@code
 *     ftvm init}): {@code ca.crt}, and {@code <node>.crt} + {@code <node>.key} of this host's node
 *     (see {@link ChannelCredentialFiles})
 * @param adminGroup optional group whose members may use the control socket and read the state
 *     directory besides root (absent: root only, see {@link AdminAccess})
 * @param metricsListen optional "host:port" where each node's daemon serves Prometheus metrics at
 *     {@code /metrics} (absent: no metrics endpoint)
 * @param arbiter which go-live arbiter backend decides failovers; absent (null) means the shared
 *     directory {@link #sharedDirectory}
 * @param spares hosts that may become the backup after a failover when the failed host does not
 *     come back (an N+1 spare): same shape as {@link #nodes}, never primary at the config's epoch;
 *     a spare's daemon starts empty and offers itself on shared storage (issue 8). Absent: none
 *     (configs written before spares existed)
 */
public record PairConfig(
    String vmId,
    long epoch,
    String initialPrimary,
    Path qemuBinary,
    GuestSpec vm,
    Map<String, NodeSpec> nodes,
    Path sharedDirectory,
    Path preSharedKeyFile,
    Timing timing,
    String fenceCommand,
    Path tlsDirectory,
    String adminGroup,
    String metricsListen,
    ArbiterSpec arbiter,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, NodeSpec> spares) {

  /** No spares is an empty map, so callers never meet null. */
  public PairConfig {
    spares =
        spares == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(spares));
  }

  /** A config without spares, as written before they existed. */
  public PairConfig(
      String vmId,
      long epoch,
      String initialPrimary,
      Path qemuBinary,
      GuestSpec vm,
      Map<String, NodeSpec> nodes,
      Path sharedDirectory,
      Path preSharedKeyFile,
      Timing timing,
      String fenceCommand,
      Path tlsDirectory,
      String adminGroup,
      String metricsListen,
      ArbiterSpec arbiter) {
    this(
        vmId,
        epoch,
        initialPrimary,
        qemuBinary,
        vm,
        nodes,
        sharedDirectory,
        preSharedKeyFile,
        timing,
        fenceCommand,
        tlsDirectory,
        adminGroup,
        metricsListen,
        arbiter,
        null);
  }

  /** The same pair with these spare hosts. */
  public PairConfig withSpares(Map<String, NodeSpec> spareNodes) {
    return new PairConfig(
        vmId,
        epoch,
        initialPrimary,
        qemuBinary,
        vm,
        nodes,
        sharedDirectory,
        preSharedKeyFile,
        timing,
        fenceCommand,
        tlsDirectory,
        adminGroup,
        metricsListen,
        arbiter,
        spareNodes);
  }

  /** The arbiter backend, the shared directory when the config names none. */
  public ArbiterSpec arbiterSpec() {
    return arbiter == null ? ArbiterSpec.sharedDirectory() : arbiter;
  }

  /** The same config deciding go-live with {@code spec}. */
  public PairConfig withArbiter(ArbiterSpec spec) {
    return new PairConfig(
        vmId,
        epoch,
        initialPrimary,
        qemuBinary,
        vm,
        nodes,
        sharedDirectory,
        preSharedKeyFile,
        timing,
        fenceCommand,
        tlsDirectory,
        adminGroup,
        metricsListen,
        spec,
        spares);
  }

  /**
   * A config without TLS credentials (pre-shared-key channel), admin group, metrics or arbiter
   * section (the shared directory decides go-live), as written before those existed.
   */
  public PairConfig(
      String vmId,
      long epoch,
      String initialPrimary,
      Path qemuBinary,
      GuestSpec vm,
      Map<String, NodeSpec> nodes,
      Path sharedDirectory,
      Path preSharedKeyFile,
      Timing timing,
      String fenceCommand) {
    this(
        vmId,
        epoch,
        initialPrimary,
        qemuBinary,
        vm,
        nodes,
        sharedDirectory,
        preSharedKeyFile,
        timing,
        fenceCommand,
        null,
        null,
        null,
        null);
  }

  /**
   * The guest: kernel/initrd/cmdline shared; each node has its own disk copies (see NodeSpec).
   *
   * @param kernel null: the guest boots from its first disk through the firmware (needs {@code
   *     hardware})
   * @param ip the guest's address ({@code a.b.c.d/len}), or null when ftvm is not told it (go-live
   *     then announces the MAC, and the address the guest is seen using)
   * @param readyLinePrefix a console line that says the guest is up, or null if it prints none
   *     (then only the pair's state is known, not the guest's readiness)
   * @param hardware a described guest's disks and NIC model; null for the test guest's fixed shape
   *     (direct kernel, one raw virtio disk, virtio-net)
   * @param description the admin's VM description this guest comes from, if any; on real hosts a
   *     config may give only this, and {@link GuestDescriptions#resolve} fills in the rest
   * @param readiness how the nodes tell the guest is up (console pattern or TCP port), or null: the
   *     ready line, if any; decides only the guest row of status and {@code start}'s "guest up"
   */
  public record GuestSpec(
      Path kernel,
      Path initrd,
      String kernelAppend,
      int memoryMib,
      String mac,
      String ip,
      String readyLinePrefix,
      GuestHardware hardware,
      Path description,
      ReadinessProbe readiness) {

    /** The test guest's shape, as configs written before descriptions had it. */
    public GuestSpec(
        Path kernel, Path initrd, String kernelAppend, int memoryMib, String mac, String ip) {
      this(kernel, initrd, kernelAppend, memoryMib, mac, ip, null, null, null, null);
    }

    /** A guest without a readiness probe, as configs written before probes existed. */
    public GuestSpec(
        Path kernel,
        Path initrd,
        String kernelAppend,
        int memoryMib,
        String mac,
        String ip,
        String readyLinePrefix,
        GuestHardware hardware,
        Path description) {
      this(
          kernel,
          initrd,
          kernelAppend,
          memoryMib,
          mac,
          ip,
          readyLinePrefix,
          hardware,
          description,
          null);
    }

    /** The probe that decides "guest up": the explicit one, else the ready line, if any. */
    public Optional<ReadinessProbe> readinessProbe() {
      if (readiness != null) {
        return Optional.of(readiness);
      }
      return readyLinePrefix == null || readyLinePrefix.isEmpty()
          ? Optional.empty()
          : Optional.of(ReadinessProbe.consolePrefix(readyLinePrefix));
    }

    /** The same guest, up when {@code probe} says so. */
    public GuestSpec withReadiness(ReadinessProbe probe) {
      return new GuestSpec(
          kernel,
          initrd,
          kernelAppend,
          memoryMib,
          mac,
          ip,
          readyLinePrefix,
          hardware,
          description,
          probe);
    }
  }

  /**
   * One host's side.
   *
   * @param stateDirectory log store, sockets, console log and QEMU log of this node
   * @param disk this replica's own disk image (identical to the peer's at pair start)
   * @param channelHost address the backup listens on / the primary connects to for this node
   * @param channelPort port of the logging channel on this node when it is the backup
   * @param tapName the TAP device the VM's NIC uses on this host
   * @param bridge the host bridge the TAP joins (the LAN the clients are on)
   */
  public record NodeSpec(
      Path stateDirectory,
      Path disk,
      String channelHost,
      int channelPort,
      String tapName,
      String bridge) {}

  /**
   * @param heartbeatMillis heartbeat interval in both directions
   * @param detectionTimeoutMillis silence after which the peer is declared lost
   * @param maxUnackedBytes flow control: the primary stalls with this much unacknowledged log
   * @param maxLagMillis flow control: ... or when the oldest unacknowledged log is this old. The
   *     backup withholds acks while its replay is behind (see maxReplayLagMillis), so this is how
   *     soon a CPU-bound primary is throttled to its backup's pace
   * @param maxReplayBacklogBytes backstop: the backup never acks more than this many bytes ahead of
   *     what its QEMU consumed
   * @param goLiveDeadlineMillis bound on GOING_LIVE: a node that started going live is
   *     PRIMARY_ALONE or HALTED within this time (drain + test-and-set + QEMU going live; QEMU's
   *     switch gets at least 2 s more once the epoch is won, so a winner is not halted), not
   *     counting time while shared storage is unreachable (then nobody may go live, the node holds
   *     its outputs and keeps asking, and its status says so). Default 30 s: well above a drain of
   *     a full replay backlog measured under load (6.8–10.2 s), far below "stuck for minutes". 0 or
   *     absent in a config file means the default.
   * @param maxReplayLagMillis the backup acks a position only when the log before it that its QEMU
   *     has not consumed yet spans at most this much time; bounds what a go-live must replay
   * @param replayStallMillis the backup declares its replay stalled when log is waiting for QEMU
   *     but QEMU consumed none of it for this long
   */
  public record Timing(
      long heartbeatMillis,
      long detectionTimeoutMillis,
      long maxUnackedBytes,
      long maxLagMillis,
      long maxReplayBacklogBytes,
      long goLiveDeadlineMillis,
      long maxReplayLagMillis,
      long replayStallMillis) {
    public static final long DEFAULT_GO_LIVE_DEADLINE_MILLIS = 30_000;
    public static final long DEFAULT_MAX_REPLAY_LAG_MILLIS = 300;
    public static final long DEFAULT_REPLAY_STALL_MILLIS = 5000;

    /** Heartbeats both ways; failure checks run every half interval. */
    public static final long DEFAULT_HEARTBEAT_MILLIS = 100;

    /**
     * Chosen from measurement (logging-channel/README.md, "Defaults"): on a 2-core host booting two
     * QEMUs and two JVMs, heartbeat gaps reached 0.45-0.79 s at normal priority and 500 ms split
     * starts; with SCHED_RR channel threads and the receive watermark the peer-caused gaps were at
     * most 0.52 s (whole-JVM stalls that priority cannot prevent), so 1 s leaves about 2x margin
     * while a real kill still fails over in about 1.1 s (budget 1.5 s).
     */
    public static final long DEFAULT_DETECTION_TIMEOUT_MILLIS = 1000;

    /** Configs written before a field existed read it as 0: such fields take their default. */
    public Timing {
      if (goLiveDeadlineMillis <= 0) {
        goLiveDeadlineMillis = DEFAULT_GO_LIVE_DEADLINE_MILLIS;
      }
      if (maxReplayLagMillis <= 0) {
        maxReplayLagMillis = DEFAULT_MAX_REPLAY_LAG_MILLIS;
      }
      if (replayStallMillis <= 0) {
        replayStallMillis = DEFAULT_REPLAY_STALL_MILLIS;
      }
    }

    /** The same timing with another replay lag bound. */
    public Timing withMaxReplayLagMillis(long millis) {
      return new Timing(
          heartbeatMillis,
          detectionTimeoutMillis,
          maxUnackedBytes,
          maxLagMillis,
          maxReplayBacklogBytes,
          goLiveDeadlineMillis,
          millis,
          replayStallMillis);
    }

    public static Timing defaults() {
      return new Timing(
          DEFAULT_HEARTBEAT_MILLIS,
          DEFAULT_DETECTION_TIMEOUT_MILLIS,
          16L << 20,
          500,
          2L << 20,
          DEFAULT_GO_LIVE_DEADLINE_MILLIS,
          DEFAULT_MAX_REPLAY_LAG_MILLIS,
          DEFAULT_REPLAY_STALL_MILLIS);
    }
  }

  /** The same pair with another guest (e.g. one read from its description). */
  public PairConfig withVm(GuestSpec guest) {
    return new PairConfig(
        vmId,
        epoch,
        initialPrimary,
        qemuBinary,
        guest,
        nodes,
        sharedDirectory,
        preSharedKeyFile,
        timing,
        fenceCommand,
        tlsDirectory,
        adminGroup,
        metricsListen,
        arbiter,
        spares);
  }

  /** A pair node (a/b) or a spare. */
  public NodeSpec node(String nodeId) {
    NodeSpec spec = nodes.get(nodeId);
    if (spec == null) {
      spec = spares.get(nodeId);
    }
    if (spec == null) {
      throw new IllegalArgumentException(
          "node '"
              + nodeId
              + "' is not in the pair config (nodes: "
              + nodes.keySet()
              + (spares.isEmpty() ? "" : ", spares: " + spares.keySet())
              + ")");
    }
    return spec;
  }

  /** Whether {@code nodeId} is a pair node or a spare of this config. */
  public boolean knows(String nodeId) {
    return nodes.containsKey(nodeId) || spares.containsKey(nodeId);
  }

  /** Whether {@code nodeId} is one of the config's spares (not a or b). */
  public boolean isSpare(String nodeId) {
    return spares.containsKey(nodeId) && !nodes.containsKey(nodeId);
  }

  /** Every node of the config: the pair's two in name order, then the spares. */
  @JsonIgnore
  public List<String> allNodeIds() {
    // Sorted: the pair's nodes may come from an unordered map, and status and stop list them.
    List<String> ids = new ArrayList<>(new TreeSet<>(nodes.keySet()));
    spares.keySet().stream().filter(id -> !ids.contains(id)).forEach(ids::add);
    return ids;
  }

  /**
   * The other node of the config's own pairing (epoch {@link #epoch}: a/b). After a failover and
   * re-protection the peer is the pairing's, not this (see {@link NodeSupervisor}); a spare has no
   * peer here.
   */
  public String peerOf(String nodeId) {
    if (isSpare(nodeId)) {
      throw new IllegalArgumentException(
          "spare " + nodeId + " has no fixed peer: its peer is the primary it joins");
    }
    return nodes.keySet().stream()
        .filter(n -> !n.equals(nodeId))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("pair config needs two nodes"));
  }

  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  public static PairConfig read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("pair config " + file + " does not exist");
    }
    PairConfig config = mapper().readValue(file.toFile(), PairConfig.class);
    if (config.nodes() == null || config.nodes().size() != 2) {
      throw new IOException("pair config " + file + " must name exactly two nodes");
    }
    try {
      config.arbiterSpec().validate();
    } catch (IllegalArgumentException e) {
      throw new IOException("pair config " + file + ": " + e.getMessage(), e);
    }
    if (config.arbiterSpec().isSharedDirectory() && config.sharedDirectory() == null) {
      throw new IOException(
          "pair config "
              + file
              + " has no sharedDirectory: the shared-directory arbiter (the default) needs one, or"
              + " choose another with \"arbiter\": {\"type\": \"zookeeper\", ...}");
    }
    PairConfigValidator.requireValid(config, "pair config " + file);
    return config;
  }

  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    mapper().writeValue(file.toFile(), this);
  }
}
