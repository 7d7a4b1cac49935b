package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What makes a pair config usable, checked before anything starts so an admin sees every problem at
 * once with the field that has it, instead of a daemon failing halfway. {@code ftvm init} checks
 * what it is about to write and {@link PairConfig#read} what it reads.
 */
public final class PairConfigValidator {
  /** Node ids name files (certificates, state) and appear in logs: keep them plain. */
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private PairConfigValidator() {}

  /** Every problem found, each naming its field; empty if the config is usable. */
  public static List<String> problems(PairConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.vmId() == null || config.vmId().isBlank()) {
      problems.add("vmId must not be empty");
    }
    if (config.epoch() < 0) {
      problems.add("epoch must be >= 0, got " + config.epoch());
    }
    Map<String, PairConfig.NodeSpec> nodes = config.nodes();
    if (nodes == null || nodes.size() != 2) {
      problems.add(
          "nodes must name exactly two nodes, got " + (nodes == null ? "none" : nodes.keySet()));
    } else {
      nodes.forEach((id, spec) -> checkNode(id, spec, problems));
      if (!nodes.containsKey(config.initialPrimary())) {
        problems.add(
            "initialPrimary '"
                + config.initialPrimary()
                + "' is not one of the nodes "
                + nodes.keySet());
      }
      List<PairConfig.NodeSpec> specs = List.copyOf(nodes.values());
      if (specs.get(0) != null
          && specs.get(1) != null
          && Objects.equals(specs.get(0).channelHost(), specs.get(1).channelHost())
          && specs.get(0).channelPort() == specs.get(1).channelPort()) {
        problems.add(
            "both nodes' logging channel listens on "
                + specs.get(0).channelHost()
                + ":"
                + specs.get(0).channelPort()
                + ": each node needs its own address (or port)");
      }
    }
    checkSpares(config, problems);
    if (config.sharedDirectory() == null && config.arbiterSpec().isSharedDirectory()) {
      problems.add(
          "sharedDirectory must name the shared storage (see ftvm lock init), or choose another"
              + " arbiter with \"arbiter\": {\"type\": \"zookeeper\", ...}");
    }
    if (config.tlsDirectory() == null && config.preSharedKeyFile() == null) {
      problems.add(
          "no logging channel credentials: set tlsDirectory (ftvm init writes it) or, for the"
              + " unencrypted pre-shared-key mode, preSharedKeyFile");
    }
    checkTiming(config.timing(), problems);
    return problems;
  }

  /** Throws one exception listing every problem. */
  public static void requireValid(PairConfig config, String what) throws IOException {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IOException(what + " is not usable:\n  - " + String.join("\n  - ", problems));
    }
  }

  /**
   * Spares have a node's shape, a name of their own (not a pair node's: certificates and state are
   * named by it) and a logging channel address no other node uses.
   */
  private static void checkSpares(PairConfig config, List<String> problems) {
    Map<String, PairConfig.NodeSpec> nodes = config.nodes() == null ? Map.of() : config.nodes();
    Map<String, String> listeners = new java.util.LinkedHashMap<>();
    nodes.forEach(
        (id, spec) -> {
          if (spec != null) {
            listeners.putIfAbsent(spec.channelHost() + ":" + spec.channelPort(), id);
          }
        });
    config
        .spares()
        .forEach(
            (id, spec) -> {
              if (nodes.containsKey(id)) {
                problems.add(
                    "spare '"
                        + id
                        + "' has the name of a pair node: spares need names of their own");
                return;
              }
              checkNode(id, spec, problems);
              if (id != null && id.equals(config.initialPrimary())) {
                problems.add("initialPrimary '" + id + "' is a spare: a or b starts as primary");
              }
              if (spec != null) {
                String address = spec.channelHost() + ":" + spec.channelPort();
                String other = listeners.putIfAbsent(address, id);
                if (other != null) {
                  problems.add(
                      "spare "
                          + id
                          + "'s logging channel listens on "
                          + address
                          + " like node "
                          + other
                          + ": each node needs its own address (or port)");
                }
              }
            });
  }

  private static void checkNode(String id, PairConfig.NodeSpec spec, List<String> problems) {
    if (id == null || !NODE_ID.matcher(id).matches()) {
      problems.add(
          "node id '"
              + id
              + "' must be 1-63 letters, digits, '.', '_' or '-' (it names certificate files)");
    }
    if (spec == null) {
      problems.add("node " + id + " has no settings");
      return;
    }
    if (spec.stateDirectory() == null) {
      problems.add("node " + id + ": stateDirectory must be set");
    }
    if (spec.disk() == null) {
      problems.add("node " + id + ": disk must be set");
    }
    if (spec.channelHost() == null || spec.channelHost().isBlank()) {
      problems.add("node " + id + ": channelHost (logging link address) must be set");
    }
    if (spec.channelPort() < 1 || spec.channelPort() > 65535) {
      problems.add("node " + id + ": channelPort must be 1..65535, got " + spec.channelPort());
    }
    if (spec.tapName() == null || spec.tapName().isBlank()) {
      problems.add("node " + id + ": tapName must be set");
    }
  }

  private static void checkTiming(PairConfig.Timing timing, List<String> problems) {
    if (timing == null) {
      problems.add("timing must be set (ftvm init writes the defaults)");
      return;
    }
    if (timing.heartbeatMillis() <= 0) {
      problems.add("timing.heartbeatMillis must be > 0, got " + timing.heartbeatMillis());
    }
    if (timing.detectionTimeoutMillis() <= timing.heartbeatMillis()) {
      problems.add(
          "timing.detectionTimeoutMillis ("
              + timing.detectionTimeoutMillis()
              + ") must exceed timing.heartbeatMillis ("
              + timing.heartbeatMillis()
              + ")");
    }
    if (timing.maxUnackedBytes() <= 0) {
      problems.add("timing.maxUnackedBytes must be > 0, got " + timing.maxUnackedBytes());
    }
    if (timing.maxLagMillis() <= 0) {
      problems.add("timing.maxLagMillis must be > 0, got " + timing.maxLagMillis());
    }
  }
}
