package io.ftvm.supervisor.pair;

import java.net.InetSocketAddress;

/**
 * What a joining node offers the primary in its pairing record on shared storage: where its empty
 * clone target takes the disk copy (an NBD export) and the VM's state (a migration listener). One
 * line, so it fits the record; {@link #parse} refuses anything else with the offending text.
 */
record JoinOffer(InetSocketAddress nbd, String nbdExportName, InetSocketAddress migration) {

  JoinOffer {
    if (nbdExportName == null || nbdExportName.isBlank() || nbdExportName.contains(" ")) {
      throw new IllegalArgumentException("bad NBD export name '" + nbdExportName + "'");
    }
  }

  String toLine() {
    return "nbd="
        + hostPort(nbd)
        + " export="
        + nbdExportName
        + " migration="
        + hostPort(migration);
  }

  static JoinOffer parse(String line) {
    String nbd = null;
    String export = null;
    String migration = null;
    for (String field : line.trim().split(" +")) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("bad join offer '" + line + "': field '" + field + "'");
      }
      String value = field.substring(eq + 1);
      switch (field.substring(0, eq)) {
        case "nbd" -> nbd = value;
        case "export" -> export = value;
        case "migration" -> migration = value;
        default -> {
          // fields a newer node adds are ignored
        }
      }
    }
    if (nbd == null || export == null || migration == null) {
      throw new IllegalArgumentException(
          "join offer '" + line + "' lacks one of nbd=, export=, migration=");
    }
    return new JoinOffer(address(nbd, line), export, address(migration, line));
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  private static InetSocketAddress address(String hostPort, String line) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "bad address '" + hostPort + "' in join offer '" + line + "'");
    }
    try {
      return InetSocketAddress.createUnresolved(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "bad address '" + hostPort + "' in join offer '" + line + "': " + e.getMessage(), e);
    }
  }
}
