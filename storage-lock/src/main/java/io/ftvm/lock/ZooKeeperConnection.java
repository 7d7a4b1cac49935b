package io.ftvm.lock;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * One Curator client to a ZooKeeper ensemble, shared by {@link ZooKeeperArbiter} and {@link
 * ZooKeeperPairingLedger}, with every call bounded in time and every failure turned into a {@link
 * StorageUnavailableException}.
 *
 * <p>Only persistent znodes are used: a decision never depends on a session or its timeout. The
 * session timeout only bounds how long the client keeps a dead server connection before it tries
 * another member. Calls run on an I/O thread and the caller gets an answer within {@code opTimeout}
 * even when the connected server hangs (a partition that TCP has not noticed yet).
 */
public final class ZooKeeperConnection implements AutoCloseable {
  /** Default root znode; everything ftvm writes lives below it. */
  public static final String DEFAULT_ROOT = "/ftvm";

  private static final int MAX_HUNG_OPERATIONS = 8;
  private static final int RETRY_PAUSE_MILLIS = 50;

  private final String connectString;
  private final String root;
  private final CuratorFramework client;
  private final TimeBoundedIo io;

  /**
   * @param connectString {@code host:port,host:port,...} of the ensemble members
   * @param root znode below which ftvm keeps its records (e.g. {@value #DEFAULT_ROOT})
   * @param sessionTimeout ZooKeeper session timeout; affects only failure detection of a server
   * @param opTimeout bound on every call, after which it fails as "unavailable"
   */
  public ZooKeeperConnection(
      String connectString, String root, Duration sessionTimeout, Duration opTimeout) {
    this.connectString = requireConnectString(connectString);
    this.root = requireRoot(root);
    if (opTimeout.isNegative() || opTimeout.isZero()) {
      throw new IllegalArgumentException("ZooKeeper operation timeout must be > 0: " + opTimeout);
    }
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException(
          "ZooKeeper session timeout must be > 0: " + sessionTimeout);
    }
    int opMillis = (int) Math.max(1, opTimeout.toMillis());
    this.client =
        CuratorFrameworkFactory.builder()
            .connectString(this.connectString)
            .sessionTimeoutMs((int) sessionTimeout.toMillis())
            .connectionTimeoutMs(opMillis)
            // Retries inside the bound only; TimeBoundedIo cuts the call off at opTimeout anyway.
            .retryPolicy(new RetryUntilElapsed(opMillis, RETRY_PAUSE_MILLIS))
            // The configured member list is the truth; never let the ensemble rewrite it.
            .ensembleTracker(false)
            .build();
    this.io = new TimeBoundedIo(describe(), opTimeout, MAX_HUNG_OPERATIONS);
    client.start();
  }

  /** Human-readable location for logs and status. */
  public String describe() {
    return "ZooKeeper " + connectString + " " + root;
  }

  String connectString() {
    return connectString;
  }

  String path(String... parts) {
    StringBuilder path = new StringBuilder(root);
    for (String part : parts) {
      path.append('/').append(part);
    }
    return path.toString();
  }

  /** One blocking Curator call; may throw anything Curator throws. */
  @FunctionalInterface
  interface ZooKeeperCall<T> {
    T call(CuratorFramework client) throws Exception;
  }

  /**
   * Runs {@code call} within the operation timeout. Every failure except the ones {@code call}
   * handles itself becomes {@link StorageUnavailableException}: a missing answer is never guessed.
   */
  <T> T run(String operation, ZooKeeperCall<T> call) throws StorageUnavailableException {
    return io.run(
        operation,
        () -> {
          try {
            return call.call(client);
          } catch (KeeperException e) {
            throw new StorageUnavailableException(
                describe() + " could not " + operation + ": " + e.code() + " (" + e.getPath() + ")",
                e);
          } catch (InterruptedException | StorageUnavailableException e) {
            throw e;
          } catch (Exception e) {
            throw new StorageUnavailableException(
                describe() + " could not " + operation + ": " + e, e);
          }
        });
  }

  /**
   * Makes the connected server catch up with the leader for {@code path}, so that the read that
   * follows sees every write committed before this call (ZooKeeper reads are otherwise served from
   * the member's possibly lagging copy).
   */
  static void syncThenWait(CuratorFramework client, String path) throws Exception {
    // The blocking form of sync: sync() is only offered as a background call in Curator.
    java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();
    client
        .sync()
        .inBackground(
            (c, event) -> {
              if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                done.complete(null);
              } else {
                done.completeExceptionally(
                    KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
              }
            })
        .forPath(path);
    try {
      done.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** Children of {@code path}, or an empty list when it does not exist, after a sync. */
  static List<String> syncedChildren(CuratorFramework client, String path) throws Exception {
    syncThenWait(client, "/");
    try {
      return client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
  }

  /** Sync, then proves the ensemble answers from the leader's view. */
  void checkReachable() throws StorageUnavailableException {
    run(
        "answer a reachability probe",
        c -> {
          syncThenWait(c, "/");
          Stat ignored = c.checkExists().forPath("/");
          return ignored;
        });
  }

  @Override
  public void close() {
    io.close();
    client.close();
  }

  private static String requireConnectString(String connectString) {
    Objects.requireNonNull(connectString, "ZooKeeper connect string");
    if (connectString.isBlank()) {
      throw new IllegalArgumentException("ZooKeeper connect string must not be empty");
    }
    for (String member : connectString.split(",")) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0 || colon == member.length() - 1) {
        throw new IllegalArgumentException(
            "ZooKeeper connect string '"
                + connectString
                + "': member '"
                + member
                + "' must be host:port");
      }
      try {
        int port = Integer.parseInt(member.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "ZooKeeper connect string '"
                + connectString
                + "': member '"
                + member
                + "' has no valid port");
      }
    }
    return connectString;
  }

  private static String requireRoot(String root) {
    if (root == null || !root.startsWith("/") || root.endsWith("/") || root.contains("//")) {
      throw new IllegalArgumentException(
          "ZooKeeper root must be an absolute znode path like /ftvm (no trailing slash): " + root);
    }
    return root;
  }
}
