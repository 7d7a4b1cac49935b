package io.ftvm.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code local-pair.json} says about a pair {@code ftvm start --pair} started on this machine:
 * its topology's pair id, namespaces and the daemons' pids.
 */
record LocalPairRecord(String pairId, List<String> namespaces, Map<String, Long> daemonPids) {

  static LocalPairRecord read(Path file) throws IOException {
    JsonNode root;
    try {
      root = PairConfig.mapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String pairId = root.path("pairId").asText("");
    if (pairId.isEmpty()) {
      throw new IOException(file + " has no \"pairId\"; it was not written by 'ftvm start --pair'");
    }
    List<String> namespaces = new ArrayList<>();
    root.path("namespaces").forEach(n -> namespaces.add(n.asText()));
    Map<String, Long> pids = new TreeMap<>();
    var fields = root.path("daemonPids").fields();
    while (fields.hasNext()) {
      var field = fields.next();
      if (!field.getValue().canConvertToLong() || field.getValue().asLong() <= 0) {
        throw new IOException(
            file + ": daemonPids." + field.getKey() + " is not a pid: " + field.getValue());
      }
      pids.put(field.getKey(), field.getValue().asLong());
    }
    return new LocalPairRecord(pairId, List.copyOf(namespaces), Map.copyOf(pids));
  }
}
