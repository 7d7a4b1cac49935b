package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A guest whose "up" is decided by a readiness probe the admin gave for this start (e.g. {@code
 * ftvm start --pair --ready-port 5432}) instead of the one its description or vm.json names.
 */
public record ProbedGuest(PairGuest guest, ReadinessProbe probe) implements PairGuest {

  @Override
  public PairConfig.GuestSpec spec(String guestCidr, String reservedMac) throws IOException {
    return guest.spec(guestCidr, reservedMac).withReadiness(probe);
  }

  @Override
  public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
    return guest.copyDisksInto(nodeDirectory);
  }

  @Override
  public String describe() {
    return guest.describe() + ", up when " + probe.describe();
  }
}
