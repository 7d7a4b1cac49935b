package io.ftvm.supervisor.vm;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One disk as described. Values are kept as written so the validator can name unsupported ones.
 *
 * @param file absolute path of the image (the pristine one: every run and replica writes a copy)
 * @param format {@code raw} or {@code qcow2}
 * @param bus {@code virtio}, {@code ide} or {@code sata} (see {@link VmDescriptionValidator})
 * @param readOnly the guest may not write it (refused: see the validator)
 * @param shared several VMs write it (refused: replicas cannot each own a copy)
 */
public record VmDisk(Path file, String format, String bus, boolean readOnly, boolean shared) {
  public static final String RAW = "raw";
  public static final String QCOW2 = "qcow2";
  public static final String VIRTIO = "virtio";
  public static final String IDE = "ide";
  public static final String SATA = "sata";

  public VmDisk {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(bus, "bus");
  }
}
