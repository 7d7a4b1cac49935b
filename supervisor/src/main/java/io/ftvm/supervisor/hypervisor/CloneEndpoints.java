package io.ftvm.supervisor.hypervisor;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a clone target listens: its writable NBD export of the (empty) disk, and its incoming
 * migration socket.
 *
 * @param nbd the target's NBD server
 * @param nbdExportName the export the source's mirror writes to
 * @param migration the target's {@code migrate-incoming} socket
 */
public record CloneEndpoints(
    InetSocketAddress nbd, String nbdExportName, InetSocketAddress migration) {

  public CloneEndpoints {
    Objects.requireNonNull(nbd, "nbd");
    Objects.requireNonNull(nbdExportName, "nbdExportName");
    Objects.requireNonNull(migration, "migration");
    if (nbdExportName.isEmpty()) {
      throw new IllegalArgumentException("NBD export name must not be empty");
    }
  }
}
