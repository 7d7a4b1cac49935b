package io.ftvm.supervisor.pair;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The {@code "arbiter"} section of a pair config: which backend decides go-live. Absent, or {@code
 * {"type": "shared-directory"}}, is the pair's {@code sharedDirectory}; {@code {"type":
 * "zookeeper", "connect": "10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181"}} is a ZooKeeper ensemble.
 *
 * @param type {@value #SHARED_DIRECTORY} or {@value #ZOOKEEPER}
 * @param connect ZooKeeper members as {@code host:port,...} (zookeeper only)
 * @param sessionTimeoutMs ZooKeeper session timeout (zookeeper only; default {@value
 *     #DEFAULT_SESSION_TIMEOUT_MS}). Decisions never depend on it (only persistent znodes are
 *     used); it bounds how long a client stays on a dead member before trying another
 * @param root znode under which the records live (zookeeper only; default /ftvm)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArbiterSpec(String type, String connect, Long sessionTimeoutMs, String root) {
  public static final String SHARED_DIRECTORY = "shared-directory";
  public static final String ZOOKEEPER = "zookeeper";
  public static final long DEFAULT_SESSION_TIMEOUT_MS = 4000;
  public static final String DEFAULT_ROOT = "/ftvm";
  private static final List<String> TYPES = List.of(SHARED_DIRECTORY, ZOOKEEPER);

  public static ArbiterSpec sharedDirectory() {
    return new ArbiterSpec(SHARED_DIRECTORY, null, null, null);
  }

  public static ArbiterSpec zooKeeper(String connect) {
    return new ArbiterSpec(ZOOKEEPER, connect, null, null);
  }

  public boolean isSharedDirectory() {
    return type == null || SHARED_DIRECTORY.equals(type);
  }

  public long sessionTimeoutMillisOrDefault() {
    return sessionTimeoutMs == null ? DEFAULT_SESSION_TIMEOUT_MS : sessionTimeoutMs;
  }

  public String rootOrDefault() {
    return root == null ? DEFAULT_ROOT : root;
  }

  /** Throws with what is wrong and how to write it right. */
  public void validate() {
    if (type != null && !TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "arbiter type '" + type + "' is unknown; use one of " + TYPES);
    }
    if (isSharedDirectory()) {
      if (connect != null || sessionTimeoutMs != null || root != null) {
        throw new IllegalArgumentException(
            "arbiter type shared-directory takes no connect/sessionTimeoutMs/root (those are for"
                + " \"type\": \"zookeeper\"); it uses the config's sharedDirectory");
      }
      return;
    }
    if (connect == null || connect.isBlank()) {
      throw new IllegalArgumentException(
          "arbiter type zookeeper needs \"connect\": \"host:port,host:port,...\" (the ensemble's"
              + " members)");
    }
    for (String member : connect.split(",")) {
      if (!member.strip().matches("[^:\\s/]+:\\d{1,5}")) {
        throw new IllegalArgumentException(
            "arbiter connect '"
                + connect
                + "': member '"
                + member
                + "' is not host:port (a chroot suffix is not supported; use \"root\")");
      }
    }
    if (sessionTimeoutMs != null && (sessionTimeoutMs < 100 || sessionTimeoutMs > 600_000)) {
      throw new IllegalArgumentException(
          "arbiter sessionTimeoutMs " + sessionTimeoutMs + " must be between 100 and 600000");
    }
    if (root != null && !root.matches("(/[A-Za-z0-9._-]+)+")) {
      throw new IllegalArgumentException(
          "arbiter root '" + root + "' must be an absolute znode path like /ftvm");
    }
  }
}
