package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another local user can neither command a node nor read its state; a member of the configured
 * admin group can. The client runs as {@code nobody} through {@code setpriv}, so this needs root.
 */
class ControlSocketAccessTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  /** Sends one control request like ControlClient does; prints the reply or the error. */
  private static final String CLIENT =
      """
      import socket, sys
      try:
          s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
          s.connect(sys.argv[1])
          s.sendall(('{"command":"%s"}\\n' % sys.argv[2]).encode())
          print(s.makefile().readline().strip())
      except OSError as e:
          print("refused:", e)
          sys.exit(3)
      """;

  @TempDir Path dir;

  /** A node that only counts what it was asked. */
  static final class CountingTarget implements ControlTarget {
    final AtomicInteger stops = new AtomicInteger();
    final AtomicInteger failovers = new AtomicInteger();

    @Override
    public NodeStatus status() {
      return NodeStatus.builder()
          .node("a")
          .vmId("vm-unit")
          .epoch(1)
          .role(NodeRole.PRIMARY_ALONE)
          .build();
    }

    @Override
    public CompletableFuture<String> failover() {
      failovers.incrementAndGet();
      return CompletableFuture.completedFuture("switched");
    }

    @Override
    public String protect() {
      return "nothing to do";
    }

    @Override
    public void stop() {
      stops.incrementAndGet();
    }
  }

  @BeforeEach
  void needsRootAndSetpriv() throws IOException {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root: the test runs the client as user nobody with setpriv");
    assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV + " (util-linux)");
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON + " as the unprivileged client");
    // Everything above the node's own directory is open, as /var/lib is on a host.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Run(int exit, String output) {}

  private static Run asNobody(String... command) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(SETPRIV.toString(), "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    args.addAll(List.of(command));
    Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static Run control(Path socket, String command) throws Exception {
    return asNobody(PYTHON.toString(), "-c", CLIENT, socket.toString(), command);
  }

  @Test
  void anotherUserCanNeitherFailoverNorStopNorReadState() throws Exception {
    NodeFiles files = NodeFiles.prepare(dir.resolve("node-a"), 1);
    Files.writeString(files.consoleLog(), "guest console\n"); // default umask: 0644
    CountingTarget node = new CountingTarget();

    try (ControlServer server = ControlServer.start(files.controlSocket(), node)) {
      Run failover = control(files.controlSocket(), "failover");
      Run stop = control(files.controlSocket(), "stop");
      Run read = asNobody("/bin/cat", files.consoleLog().toString());

      assertThat(failover.exit()).as(failover.output()).isEqualTo(3);
      assertThat(failover.output()).contains("Permission denied");
      assertThat(stop.exit()).as(stop.output()).isEqualTo(3);
      assertThat(stop.output()).contains("Permission denied");
      assertThat(read.exit()).isNotZero();
      assertThat(read.output()).contains("Permission denied");
    }
    assertThat(node.failovers).hasValue(0);
    assertThat(node.stops).hasValue(0);
    assertThat(mode(files.root())).isEqualTo("rwx------");
  }

  @Test
  void aMemberOfTheAdminGroupCanCommandTheNode() throws Exception {
    NodeFiles files = NodeFiles.prepare(dir.resolve("node-a"), 1);
    CountingTarget node = new CountingTarget();

    try (ControlServer server =
        ControlServer.start(files.controlSocket(), node, AdminAccess.forGroup("nogroup"))) {
      assertThat(mode(files.root())).isEqualTo("rwxr-x---");
      assertThat(mode(files.controlSocket())).isEqualTo("rw-rw----");
      Run status = control(files.controlSocket(), "status");
      Run stop = control(files.controlSocket(), "stop");

      // The same client and user as above: only the group makes the difference.
      assertThat(status.exit()).as(status.output()).isZero();
      assertThat(status.output()).contains("\"role\":\"PRIMARY_ALONE\"");
      assertThat(stop.output()).contains("stopping");
    }
    assertThat(node.stops).hasValue(1);
  }

  @Test
  void anUnknownAdminGroupIsAClearError() throws Exception {
    NodeFiles files = NodeFiles.prepare(dir.resolve("node-a"), 1);

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                ControlServer.start(
                    files.controlSocket(),
                    new CountingTarget(),
                    AdminAccess.forGroup("no-such-ftvm-group")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("admin group 'no-such-ftvm-group' does not exist on this host");
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
