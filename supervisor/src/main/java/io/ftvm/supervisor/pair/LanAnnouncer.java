package io.ftvm.supervisor.pair;

/** Makes this host the VM's place on the LAN: takes inbound frames, sends gratuitous ARPs. */
@FunctionalInterface
interface LanAnnouncer {
  void takeOverLan();
}
