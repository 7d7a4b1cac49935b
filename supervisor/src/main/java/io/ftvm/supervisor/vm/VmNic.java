package io.ftvm.supervisor.vm;

import java.util.Objects;

/**
 * One network card as described.
 *
 * @param mac the guest's MAC address (six colon-separated hex pairs, unicast)
 * @param model {@code virtio-net} (default) or {@code e1000}
 */
public record VmNic(String mac, String model) {
  public static final String VIRTIO_NET = "virtio-net";
  public static final String E1000 = "e1000";

  public VmNic {
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(model, "model");
  }
}
