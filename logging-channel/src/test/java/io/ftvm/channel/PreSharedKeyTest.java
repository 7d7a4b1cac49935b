package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreSharedKeyTest {
  @TempDir Path dir;

  @Test
  void loadsHexWithWhitespace() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("k.hex"),
            "00112233445566778899aabbccddeeff\n00112233445566778899AABBCCDDEEFF\n");
    assertThat(PreSharedKey.load(file).length()).isEqualTo(32);
  }

  @Test
  void loadsRawBytes() throws IOException {
    byte[] raw = new byte[40];
    raw[0] = (byte) 0xff;
    Path file = Files.write(dir.resolve("k.bin"), raw);
    assertThat(PreSharedKey.load(file)).isEqualTo(PreSharedKey.of(raw));
  }

  @Test
  void rejectsShortOddAndMissingFiles() throws IOException {
    Path shortHex = Files.writeString(dir.resolve("short"), "abcd");
    assertThatThrownBy(() -> PreSharedKey.load(shortHex))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("holds 2 bytes of hex key material, at least 32 are required");
    Path odd = Files.writeString(dir.resolve("odd"), "abc");
    assertThatThrownBy(() -> PreSharedKey.load(odd))
        .hasMessageContaining("odd number of digits (3)");
    assertThatThrownBy(() -> PreSharedKey.load(dir.resolve("missing")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void toStringDoesNotLeakKey() {
    assertThat(PreSharedKey.of(new byte[32]).toString()).isEqualTo("PreSharedKey[32 bytes]");
  }
}
