package io.ftvm.supervisor.arbiter;

import io.ftvm.supervisor.topology.CommandResult;
import io.ftvm.supervisor.topology.NetnsCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ZooKeeper ensemble for tests and benchmarks, from Debian's {@code zookeeper} package
 * (QuorumPeerMain, one JVM per member), each member in its own network namespace.
 *
 * <p>Layout: a switch namespace {@code ftvmzk-<id>-sw} holds bridge {@code br0}; member {@code i}
 * lives in {@code ftvmzk-<id>-m<i>} at {@code 10.88.0.1<i>} with a veth whose switch end is named
 * {@code m<i>}; clients ({@link #addClient}) get {@code ftvmzk-<id>-<label>} at {@code
 * 10.88.0.(101+n)} with switch port {@code <label>}. {@link #partition} moves switch ports onto a
 * second bridge {@code br1}: the ports on it reach each other but nothing on br0. Every name
 * contains this JVM's pid and a sequence number, and {@link #close} kills exactly the members this
 * object started and deletes exactly the namespaces it created, also after a failed start.
 */
public final class ZooKeeperCluster implements AutoCloseable {
  public static final int CLIENT_PORT = 2181;
  static final String SUBNET = "10.88.0.";
  static final String ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar";
  static final String LOG_BINDING_JAR = "/usr/share/java/slf4j-simple.jar";
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperCluster.class);

  private final String id;
  private final Path workDir;
  private final int size;
  private final NetnsCommand commands = new NetnsCommand();
  private final List<String> namespaces = new ArrayList<>();
  private final Map<Integer, Process> members = new LinkedHashMap<>();
  private final Map<String, String> clients = new LinkedHashMap<>();
  private boolean partitionBridge;

  private ZooKeeperCluster(Path workDir, int size) {
    this.id = ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    this.workDir = workDir;
    this.size = size;
  }

  /** Whether Debian's ZooKeeper server is installed (scripts/setup.sh installs it). */
  public static boolean available() {
    return Files.isRegularFile(Path.of(ZOOKEEPER_JAR));
  }

  /** Creates the namespaces, starts {@code size} members and waits until they have a leader. */
  public static ZooKeeperCluster start(Path workDir, int size) throws IOException {
    if (!available()) {
      throw new IOException(
          ZOOKEEPER_JAR + " is missing: install Debian's zookeeper package (scripts/setup.sh)");
    }
    ZooKeeperCluster cluster = new ZooKeeperCluster(workDir, size);
    try {
      cluster.createNetwork();
      for (int member = 1; member <= size; member++) {
        cluster.writeConfig(member);
      }
      for (int member = 1; member <= size; member++) {
        cluster.startMember(member);
      }
      cluster.awaitLeader(Duration.ofSeconds(60));
      log.info("ZooKeeper ensemble {} up: {}", cluster.id, cluster.connectString());
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public String connectString() {
    return IntStream.rangeClosed(1, size)
        .mapToObj(m -> memberAddress(m) + ":" + CLIENT_PORT)
        .collect(Collectors.joining(","));
  }

  public String switchNamespace() {
    return namespace("sw");
  }

  public String memberNamespace(int member) {
    return namespace("m" + member);
  }

  /** The switch port of a member, for {@link #partition}. */
  public static String memberPort(int member) {
    return "m" + member;
  }

  public int size() {
    return size;
  }

  static String memberAddress(int member) {
    return SUBNET + (10 + member);
  }

  /**
   * A new namespace on the ensemble's network for a client (claimant); returns its name. {@code
   * label} (1-8 lowercase letters/digits) also names its switch port.
   */
  public String addClient(String label) {
    if (!label.matches("[a-z0-9]{1,8}") || label.matches("m\\d+|br\\d")) {
      throw new IllegalArgumentException("bad client label " + label);
    }
    String namespace = namespace(label);
    String address = SUBNET + (101 + clients.size()) + "/24";
    ip("netns", "add", namespace);
    namespaces.add(namespace);
    plug(namespace, label, address);
    clients.put(label, namespace);
    return namespace;
  }

  /** SIGKILLs a member (a crash: no clean shutdown). */
  public void kill(int member) {
    Process process = members.remove(member);
    if (process == null) {
      throw new IllegalStateException("member " + member + " is not running");
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("killed ZooKeeper member {} (pid {})", member, process.pid());
  }

  public void killAll() {
    for (Integer member : List.copyOf(members.keySet())) {
      kill(member);
    }
  }

  /** Starts a killed member again on its old data directory. */
  public void restart(int member) throws IOException {
    if (members.containsKey(member)) {
      throw new IllegalStateException("member " + member + " is still running");
    }
    startMember(member);
  }

  public boolean isRunning(int member) {
    return members.containsKey(member);
  }

  /** "leader", "follower", ... as the member's {@code srvr} says, empty if it does not answer. */
  public Optional<String> mode(int member) {
    CommandResult result =
        commands.run(
            List.of(
                "ip",
                "netns",
                "exec",
                memberNamespace(member),
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/"
                    + CLIENT_PORT
                    + " && printf srvr >&3 && timeout 2 cat <&3"),
            IP_TIMEOUT);
    if (!result.succeeded()) {
      return Optional.empty();
    }
    return result
        .stdout()
        .lines()
        .filter(line -> line.startsWith("Mode: "))
        .map(line -> line.substring("Mode: ".length()).strip())
        .findFirst();
  }

  /** The member that is leader now, if any running member says so. */
  public Optional<Integer> leader() {
    for (int member : List.copyOf(members.keySet())) {
      if (mode(member).filter("leader"::equals).isPresent()) {
        return Optional.of(member);
      }
    }
    return Optional.empty();
  }

  /** Waits until a leader serves, i.e. a quorum formed; returns it. */
  public int awaitLeader(Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Optional<Integer> leader = leader();
      if (leader.isPresent()) {
        return leader.get();
      }
      for (Map.Entry<Integer, Process> member : members.entrySet()) {
        if (!member.getValue().isAlive()) {
          throw new IOException(
              "ZooKeeper member "
                  + member.getKey()
                  + " exited with "
                  + member.getValue().exitValue()
                  + "; see "
                  + memberLog(member.getKey()));
        }
      }
      sleep(200);
    }
    throw new IOException(
        "no ZooKeeper leader within " + timeout.toSeconds() + "s; member logs in " + workDir);
  }

  /**
   * Cuts the given switch ports (members' {@link #memberPort}, client labels) off from everything
   * else: they move to bridge br1, where they still reach each other.
   */
  public void partition(Collection<String> ports) {
    if (!partitionBridge) {
      ip("-n", switchNamespace(), "link", "add", "br1", "type", "bridge");
      ip("-n", switchNamespace(), "link", "set", "br1", "up");
      partitionBridge = true;
    }
    for (String port : ports) {
      ip("-n", switchNamespace(), "link", "set", port, "master", "br1");
    }
    log.info("partitioned {} from the rest of ensemble {}", ports, id);
  }

  /** Puts the given switch ports back on br0 (e.g. hosts attached by ZooKeeperSwitchAttachment). */
  public void restore(Collection<String> ports) {
    for (String port : ports) {
      ip("-n", switchNamespace(), "link", "set", port, "master", "br0");
    }
    log.info("restored {} to ensemble {}", ports, id);
  }

  /** Puts every port back on br0. */
  public void heal() {
    List<String> ports = new ArrayList<>();
    for (int member = 1; member <= size; member++) {
      ports.add(memberPort(member));
    }
    ports.addAll(clients.keySet());
    for (String port : ports) {
      ip("-n", switchNamespace(), "link", "set", port, "master", "br0");
    }
    log.info("healed ensemble {}", id);
  }

  public Path memberLog(int member) {
    return workDir.resolve("m" + member).resolve("server.log");
  }

  @Override
  public void close() {
    for (Process process : members.values()) {
      process.destroyForcibly();
    }
    for (Process process : members.values()) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    members.clear();
    // Clients first: their processes are the caller's; deleting the namespace is ours.
    for (String namespace : reversed(namespaces)) {
      CommandResult result = commands.run(List.of("ip", "netns", "delete", namespace), IP_TIMEOUT);
      if (!result.succeeded()) {
        log.warn("could not delete namespace {}: {}", namespace, result.stderr().strip());
      }
    }
    namespaces.clear();
  }

  private static List<String> reversed(List<String> names) {
    List<String> copy = new ArrayList<>(names);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private String namespace(String suffix) {
    return "ftvmzk-" + id + "-" + suffix;
  }

  private void createNetwork() {
    ip("netns", "add", switchNamespace());
    namespaces.add(switchNamespace());
    ip("-n", switchNamespace(), "link", "add", "br0", "type", "bridge");
    ip("-n", switchNamespace(), "link", "set", "br0", "up");
    ip("-n", switchNamespace(), "link", "set", "lo", "up");
    for (int member = 1; member <= size; member++) {
      ip("netns", "add", memberNamespace(member));
      namespaces.add(memberNamespace(member));
      plug(memberNamespace(member), memberPort(member), memberAddress(member) + "/24");
    }
  }

  /** A veth from the switch's br0 (port {@code port}) to {@code namespace}'s eth0. */
  private void plug(String namespace, String port, String cidr) {
    ip(
        "-n",
        switchNamespace(),
        "link",
        "add",
        port,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        namespace);
    ip("-n", switchNamespace(), "link", "set", port, "master", "br0");
    ip("-n", switchNamespace(), "link", "set", port, "up");
    ip("-n", namespace, "addr", "add", cidr, "dev", "eth0");
    ip("-n", namespace, "link", "set", "eth0", "up");
    ip("-n", namespace, "link", "set", "lo", "up");
  }

  private void writeConfig(int member) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("m" + member));
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("myid"), member + "\n");
    StringBuilder config =
        new StringBuilder()
            // Short ticks: a follower notices a dead leader after syncLimit ticks (2 s), which
            // keeps leader-kill tests short; sessions may be 0.4-4 s.
            .append("tickTime=200\ninitLimit=50\nsyncLimit=10\n")
            .append("dataDir=")
            .append(data)
            .append("\nclientPort=")
            .append(CLIENT_PORT)
            .append("\n4lw.commands.whitelist=srvr,mntr,ruok\nadmin.enableServer=false\n");
    for (int m = 1; m <= size; m++) {
      config.append("server.").append(m).append('=').append(memberAddress(m));
      config.append(":2888:3888\n");
    }
    Files.writeString(dir.resolve("zoo.cfg"), config.toString());
  }

  private void startMember(int member) throws IOException {
    Path dir = workDir.resolve("m" + member);
    Process process =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                memberNamespace(member),
                "java",
                "-Xms32m",
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp",
                ZOOKEEPER_JAR + ":" + LOG_BINDING_JAR,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                dir.resolve("zoo.cfg").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(memberLog(member).toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    members.put(member, process);
    log.info(
        "started ZooKeeper member {} (pid {}) at {} in {}",
        member,
        process.pid(),
        memberAddress(member),
        memberNamespace(member));
  }

  private void ip(String... args) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    commands.runChecked(argv, IP_TIMEOUT);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
