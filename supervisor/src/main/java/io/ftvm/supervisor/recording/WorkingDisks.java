package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.vm.SparseImageCopy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A run's own sparse copies of the pristine disks: disk.img, disk-1.img, ... in the run dir. */
final class WorkingDisks {
  private WorkingDisks() {}

  static List<Path> copy(List<Path> pristine, Path runDirectory) throws IOException {
    SparseImageCopy copier = new SparseImageCopy();
    List<Path> copies = new ArrayList<>();
    for (int i = 0; i < pristine.size(); i++) {
      Path copy = runDirectory.resolve(i == 0 ? "disk.img" : "disk-" + i + ".img");
      copier.copy(pristine.get(i), copy);
      copies.add(copy);
    }
    return copies;
  }
}
