package io.ftvm.supervisor.nativeos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FifoIT {
  private static final Duration SHORT = Duration.ofMillis(50);
  private static final Duration LONG = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void reportsPendingBytesAndDeliversThemInOrder() throws Exception {
    Fifo fifo = Fifo.create(dir.resolve("log.pipe"));
    try (FifoReader reader = fifo.openForReading();
        FifoWriter writer = fifo.openForWriting()) {
      byte[] first = "header-".getBytes(StandardCharsets.US_ASCII);
      byte[] second = "events".getBytes(StandardCharsets.US_ASCII);
      assertThat(reader.available()).isZero();

      writer.write(first, 0, first.length);
      writer.write(second, 0, second.length);

      assertThat(reader.available()).isEqualTo(first.length + second.length);
      byte[] buffer = new byte[64];
      int read = reader.read(buffer, 3, 5, LONG);
      assertThat(read).isEqualTo(5);
      assertThat(new String(buffer, 3, 5, StandardCharsets.US_ASCII)).isEqualTo("heade");
      assertThat(reader.available()).isEqualTo(first.length + second.length - 5);
      int rest = reader.read(buffer, 0, buffer.length, LONG);
      assertThat(new String(buffer, 0, rest, StandardCharsets.US_ASCII)).isEqualTo("r-events");
    }
  }

  @Test
  void timesOutWhileNoWriterConnectedAndSignalsEndAfterTheWriterLeaves() throws Exception {
    Fifo fifo = Fifo.create(dir.resolve("log.pipe"));
    try (FifoReader reader = fifo.openForReading()) {
      byte[] buffer = new byte[16];
      assertThat(reader.read(buffer, 0, buffer.length, SHORT)).isZero();

      try (FifoWriter writer = fifo.openForWriting()) {
        writer.write(new byte[] {1, 2, 3}, 0, 3);
      }

      assertThat(reader.read(buffer, 0, buffer.length, LONG)).isEqualTo(3);
      assertThat(Arrays.copyOf(buffer, 3)).containsExactly(1, 2, 3);
      assertThat(reader.read(buffer, 0, buffer.length, LONG)).isEqualTo(-1);
    }
  }

  @Test
  void aBlockedReadWakesWhenDataArrives() throws Exception {
    Fifo fifo = Fifo.create(dir.resolve("log.pipe"));
    try (FifoReader reader = fifo.openForReading();
        FifoWriter writer = fifo.openForWriting()) {
      byte[] buffer = new byte[16];
      CompletableFuture<Integer> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reader.read(buffer, 0, buffer.length, Duration.ofSeconds(30));
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });

      writer.write(new byte[] {42}, 0, 1);

      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(buffer[0]).isEqualTo((byte) 42);
    }
  }

  @Test
  void canGrowThePipeBuffer() throws Exception {
    Fifo fifo = Fifo.create(dir.resolve("log.pipe"));
    try (FifoReader reader = fifo.openForReading()) {
      int granted = reader.requestCapacity(1024 * 1024);

      assertThat(granted).isGreaterThanOrEqualTo(1024 * 1024);
      assertThat(reader.capacity()).isEqualTo(granted);
    }
  }

  @Test
  void refusesToCreateOverAnExistingFile() throws Exception {
    Path taken = Files.writeString(dir.resolve("taken"), "data");

    assertThatThrownBy(() -> Fifo.create(taken))
        .isInstanceOf(NativeIoException.class)
        .hasMessageContaining("mkfifo " + taken)
        .hasMessageContaining("File exists");
    assertThat(Files.readString(taken)).isEqualTo("data");
  }

  @Test
  void refusesToTreatARegularFileAsAFifo() throws Exception {
    Path regular = Files.writeString(dir.resolve("regular"), "data");

    assertThatThrownBy(() -> Fifo.existing(regular))
        .hasMessage(regular + " exists but is not a FIFO");
    assertThatThrownBy(() -> Fifo.existing(dir.resolve("missing")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void acceptsAnExistingFifoAndRejectsUseAfterClose() throws Exception {
    Fifo.create(dir.resolve("log.pipe"));
    Fifo fifo = Fifo.existing(dir.resolve("log.pipe"));
    FifoReader reader = fifo.openForReading();

    reader.close();

    assertThat(reader.isOpen()).isFalse();
    assertThatThrownBy(reader::available).hasMessageContaining("is closed");
  }
}
