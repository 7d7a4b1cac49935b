package io.ftvm.supervisor.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary/backup pair, its client and their networks on one machine, each "host" a Linux network
 * namespace:
 *
 * <pre>
 *  ftvm-ID-a                    ftvm-ID-lan                  ftvm-ID-b
 *  br0 10.77.0.1 [eth0,tap0] -- port-a  br0  port-b -- [eth0,tap0] br0 10.77.0.2
 *                                       port-c -- eth0 10.77.0.100  (ftvm-ID-c)
 *  log0 10.78.0.1 ------------- log-a  brlog  log-b ----------- log0 10.78.0.2
 * </pre>
 *
 * <p>The logging link runs through its own bridge in the lan namespace rather than as a direct veth
 * pair: only a switch-side port can be taken down while both hosts keep their interface up, which
 * is what a pulled cable looks like (carrier lost, packets silently dropped, no local "network
 * unreachable" errors).
 *
 * <p>Lifecycle: {@link #create} claims the pair id with an owner marker ({@code
 * /run/ftvm/topology-ID.pid}) before it creates anything. {@link #destroy} (or {@link #close})
 * kills whatever still runs in the namespaces, deletes them and then the marker. A JVM shutdown
 * hook does the same if the owner forgets or exits normally while the topology exists; it cannot
 * run on SIGKILL, which is what {@link StaleTopologyReaper} is for.
 */
public final class PairTopology implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairTopology.class);
  private static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

  private final TopologySpec spec;
  private final IpNetns netns;
  private final OwnerMarker marker;
  private final AtomicBoolean destroyed = new AtomicBoolean();
  private final Thread shutdownHook;

  private PairTopology(TopologySpec spec, IpNetns netns, OwnerMarker marker) {
    this.spec = spec;
    this.netns = netns;
    this.marker = marker;
    this.shutdownHook = new Thread(this::destroyAtShutdown, "ftvm-topology-" + spec.pairId());
  }

  /** Creates the topology with {@code ip} run as child processes. */
  public static PairTopology create(TopologySpec spec) {
    return create(spec, new NetnsCommand());
  }

  /**
   * Creates the topology.
   *
   * @throws TopologyException if the pair id is owned by a live process, or if a step fails; in the
   *     latter case everything this call created has been removed again
   */
  public static PairTopology create(TopologySpec spec, CommandRunner runner) {
    long started = System.nanoTime();
    IpNetns netns = new IpNetns(runner);
    OwnerMarker marker = new OwnerMarker(spec.markerFile());
    claim(spec, runner, marker);
    try {
      new TopologyBuilder(spec, netns).build();
    } catch (RuntimeException e) {
      marker.delete();
      throw e;
    }
    PairTopology topology = new PairTopology(spec, netns, marker);
    Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
    log.info(
        "created topology {} ({}) in {} ms",
        spec.pairId(),
        String.join(", ", spec.namespaces()),
        (System.nanoTime() - started) / 1_000_000);
    return topology;
  }

  private static void claim(TopologySpec spec, CommandRunner runner, OwnerMarker marker) {
    ProcessIdentity self = ProcessIdentity.current();
    if (marker.claim(self)) {
      return;
    }
    ProcessIdentity owner = marker.owner().orElse(null);
    if (owner != null && owner.isAlive()) {
      throw new TopologyException(
          "pair id "
              + spec.pairId()
              + " is in use by live process "
              + owner.pid()
              + " (owner marker "
              + marker.file()
              + ")");
    }
    log.info("pair id {} has a dead owner; removing its leftovers first", spec.pairId());
    new StaleTopologyReaper(runner, spec.markerDirectory()).reap(spec.pairId());
    if (!marker.claim(self)) {
      throw new TopologyException(
          "pair id "
              + spec.pairId()
              + " was claimed concurrently (owner marker "
              + marker.file()
              + ")");
    }
  }

  /**
   * Removes a topology some other process created, e.g. by {@code ftvm stop} after the daemons that
   * own it exited: kills what still runs in its namespaces, deletes them and the owner marker.
   * Unlike {@link StaleTopologyReaper#reap} it also removes namespaces whose marker is missing,
   * because the caller knows (from its own records) that the pair id is its own.
   *
   * @return true if any namespace or marker existed
   * @throws TopologyException if the marker names a process that still runs (stop it first) or a
   *     namespace could not be removed
   * @throws IllegalArgumentException if {@code pairId} is not a valid pair id
   */
  public static boolean destroyExisting(String pairId) {
    return destroyExisting(TopologySpec.defaults(pairId).markerFile(), pairId, new NetnsCommand());
  }

  static boolean destroyExisting(Path markerFile, String pairId, CommandRunner runner) {
    IpNetns netns = new IpNetns(runner);
    OwnerMarker marker = new OwnerMarker(markerFile);
    Optional<ProcessIdentity> owner = marker.owner();
    if (owner.isPresent()
        && owner.get().isAlive()
        && owner.get().pid() != ProcessHandle.current().pid()) {
      throw new TopologyException(
          "topology "
              + pairId
              + " is still owned by live process "
              + owner.get().pid()
              + " (owner marker "
              + marker.file()
              + "); stop it first");
    }
    List<String> present = new ArrayList<>(netns.list());
    present.retainAll(TopologySpec.namespacesOf(pairId));
    if (present.isEmpty() && owner.isEmpty()) {
      return false;
    }
    List<String> failures = new NamespaceTeardown(netns).remove(present);
    if (!failures.isEmpty()) {
      throw new TopologyException(
          "topology " + pairId + " was not fully removed: " + String.join("; ", failures));
    }
    marker.delete();
    log.info("destroyed existing topology {} ({})", pairId, String.join(", ", present));
    return true;
  }

  /**
   * Makes the process {@code pid} the owner of this topology, so the topology outlives this JVM: no
   * removal at JVM exit, and {@link StaleTopologyReaper} treats it as stale only once {@code pid}
   * is gone. For a CLI that starts long-running daemons in the namespaces and then exits; whoever
   * stops the daemons removes the topology with {@link #destroyExisting}.
   *
   * @throws TopologyException if no process {@code pid} runs
   */
  public void handOverTo(long pid) {
    requireLive();
    ProcessIdentity owner =
        ProcessIdentity.of(pid)
            .orElseThrow(
                () ->
                    new TopologyException(
                        "cannot hand topology " + pairId() + " to pid " + pid + ": not running"));
    marker.transferTo(owner);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Too late to hand over cleanly; the hook removes the topology as it would have anyway.
    }
    log.info("topology {} handed over to pid {}; it outlives this process", pairId(), pid);
  }

  public TopologySpec spec() {
    return spec;
  }

  public String pairId() {
    return spec.pairId();
  }

  /** The network namespace of a host, e.g. {@code ftvm-ID-a}. */
  public String hostNamespace(HostRole role) {
    return spec.namespace(role);
  }

  /** The namespace of the LAN and logging switches. */
  public String lanNamespace() {
    return spec.lanNamespace();
  }

  /** The host's LAN address; on a pair member it lives on {@link #hostBridge()}. */
  public Ipv4Interface lanAddress(HostRole role) {
    return spec.lanAddress(role);
  }

  /** A pair member's address on the logging link ({@code log0}). */
  public Ipv4Interface loggingAddress(HostRole role) {
    return spec.loggingAddress(role);
  }

  public Ipv4Interface guestAddress() {
    return spec.guest();
  }

  public String guestMac() {
    return spec.guestMac();
  }

  /** The bridge in each pair member's namespace that the guest's TAP is attached to. */
  public String hostBridge() {
    return TopologyBuilder.BRIDGE;
  }

  /** The logging-link interface in each pair member's namespace. */
  public String loggingInterface() {
    return TopologyBuilder.LOGGING_INTERFACE;
  }

  /** Unplugs both ends of the logging link at the switch; the LAN is unaffected. */
  public void cutLoggingLink() {
    setLoggingPorts("down");
    log.info("topology {}: logging link cut", pairId());
  }

  public void restoreLoggingLink() {
    setLoggingPorts("up");
    log.info("topology {}: logging link restored", pairId());
  }

  /** Unplugs a host's LAN cable at the switch; its logging link is unaffected. */
  public void cutHost(HostRole role) {
    requireLive();
    netns.ip(lanNamespace(), "link", "set", TopologyBuilder.lanPort(role), "down");
    log.info("topology {}: host {} cut from the LAN", pairId(), role);
  }

  public void restoreHost(HostRole role) {
    requireLive();
    netns.ip(lanNamespace(), "link", "set", TopologyBuilder.lanPort(role), "up");
    log.info("topology {}: host {} back on the LAN", pairId(), role);
  }

  /**
   * SIGKILLs every process in the host's namespace (every pid {@code ip netns pids} lists: the
   * simulated host "crashes") and waits until they are dead.
   *
   * @return the killed processes; empty if none ran
   */
  public List<KilledProcess> killAllProcesses(HostRole role) {
    requireLive();
    List<KilledProcess> killed = new NamespaceTeardown(netns).killAll(hostNamespace(role));
    log.info("topology {}: killed {} process(es) of host {}", pairId(), killed.size(), role);
    return killed;
  }

  /**
   * Enslaves an existing TAP device in a pair member's namespace to its bridge and brings it up.
   *
   * @throws IllegalArgumentException for the client (it has no bridge) or a malformed name
   * @throws CommandFailedException e.g. if no such device exists in that namespace
   */
  public void attachTap(HostRole role, String tapName) {
    requireLive();
    if (!role.isPairMember()) {
      throw new IllegalArgumentException(
          "the client has no bridge to attach TAP " + tapName + " to");
    }
    if (tapName == null || !INTERFACE_NAME.matcher(tapName).matches()) {
      throw new IllegalArgumentException(
          "TAP name '"
              + tapName
              + "' must be 1 to 15 characters of letters, digits, '_', '.', '-'");
    }
    String host = hostNamespace(role);
    netns.ip(host, "link", "set", "dev", tapName, "master", TopologyBuilder.BRIDGE);
    netns.ip(host, "link", "set", "dev", tapName, "up");
    log.info("topology {}: {} attached to {} of host {}", pairId(), tapName, hostBridge(), role);
  }

  /** The argv that runs {@code command} inside the host's namespace, for callers that start it. */
  public List<String> commandIn(HostRole role, List<String> command) {
    return IpNetns.execArgv(hostNamespace(role), command);
  }

  /** Runs {@code command} in the host's namespace to completion (at most 60 s). */
  public CommandResult exec(HostRole role, List<String> command) {
    return exec(role, command, DEFAULT_EXEC_TIMEOUT);
  }

  /** Runs {@code command} in the host's namespace to completion; a non-zero exit is returned. */
  public CommandResult exec(HostRole role, List<String> command, Duration timeout) {
    requireLive();
    return netns.runner().run(commandIn(role, command), timeout);
  }

  public boolean isDestroyed() {
    return destroyed.get();
  }

  /**
   * Kills every process left in the topology's namespaces and deletes them, then the owner marker.
   * Parts already gone are skipped; nothing outside {@code ftvm-ID-*} is touched. Idempotent.
   *
   * @throws TopologyException if some namespace could not be removed (the marker then stays, so the
   *     reaper can retry)
   */
  public void destroy() {
    if (!destroyed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting; the hook may be what called us.
    }
    removeEverything();
  }

  @Override
  public void close() {
    destroy();
  }

  private void destroyAtShutdown() {
    if (destroyed.compareAndSet(false, true)) {
      log.warn("topology {} was not destroyed by its owner; removing it at JVM exit", pairId());
      removeEverything();
    }
  }

  private void removeEverything() {
    long started = System.nanoTime();
    List<String> failures = new NamespaceTeardown(netns).remove(spec.namespaces());
    if (!failures.isEmpty()) {
      throw new TopologyException(
          "topology " + pairId() + " was not fully removed: " + String.join("; ", failures));
    }
    marker.delete();
    log.info("destroyed topology {} in {} ms", pairId(), (System.nanoTime() - started) / 1_000_000);
  }

  private void setLoggingPorts(String state) {
    requireLive();
    List<String> ports = new ArrayList<>();
    ports.add(TopologyBuilder.loggingPort(HostRole.A));
    ports.add(TopologyBuilder.loggingPort(HostRole.B));
    if (spec.hasSpare()) {
      ports.add(TopologyBuilder.loggingPort(HostRole.SPARE));
    }
    for (String port : ports) {
      netns.ip(lanNamespace(), "link", "set", port, state);
    }
  }

  private void requireLive() {
    if (destroyed.get()) {
      throw new IllegalStateException("topology " + pairId() + " has been destroyed");
    }
  }
}
