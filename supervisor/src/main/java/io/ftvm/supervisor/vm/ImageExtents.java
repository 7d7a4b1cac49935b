package io.ftvm.supervisor.vm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The allocated (data) ranges of a file, from {@code lseek(SEEK_DATA/SEEK_HOLE)}: what a digest
 * must read; everything else reads as zeros. A file system without hole reporting reports one data
 * range covering the file, which is still correct, only slower to digest.
 */
public final class ImageExtents {
  private static final int O_RDONLY = 0;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;

  /** lseek(SEEK_DATA) past the last data: the rest of the file is a hole. */
  private static final int ENXIO = 6;

  /** A range of bytes [start, end). */
  public record Extent(long start, long end) {
    public long length() {
      return end - start;
    }
  }

  private interface Lseek extends Library {
    Lseek INSTANCE = Native.load("c", Lseek.class);

    int open(String path, int flags) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private ImageExtents() {}

  /** Data ranges in file order; their total is what {@code du --apparent-size} does not count. */
  public static List<Extent> dataExtents(Path image) throws IOException {
    long size = Files.size(image);
    List<Extent> extents = new ArrayList<>();
    int fd;
    try {
      fd = Lseek.INSTANCE.open(image.toString(), O_RDONLY);
    } catch (LastErrorException e) {
      throw new IOException("cannot open " + image + ": errno " + e.getErrorCode(), e);
    }
    try {
      long position = 0;
      while (position < size) {
        long data;
        try {
          data = Lseek.INSTANCE.lseek(fd, position, SEEK_DATA);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == ENXIO) {
            break;
          }
          // No hole reporting here: treat the rest as data.
          extents.add(new Extent(position, size));
          break;
        }
        long hole = Lseek.INSTANCE.lseek(fd, data, SEEK_HOLE);
        extents.add(new Extent(data, Math.min(hole, size)));
        position = hole;
      }
    } catch (LastErrorException e) {
      throw new IOException("lseek on " + image + " failed: errno " + e.getErrorCode(), e);
    } finally {
      Lseek.INSTANCE.close(fd);
    }
    return extents;
  }
}
