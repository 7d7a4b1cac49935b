package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GoLiveRecordCodecTest {
  private static final Instant WHEN = Instant.parse("2026-11-22T04:00:00.123Z");
  private final GoLiveClaim claim =
      new GoLiveClaim("web-1", 7, "host-b", "peer lost\nafter 800ms \\ heartbeats", WHEN);

  @Test
  void roundTripKeepsEveryField() {
    GoLiveRecord record = GoLiveRecordCodec.decode(GoLiveRecordCodec.encode(claim), "web-1", 7);

    assertThat(record.corruption()).isEmpty();
    assertThat(record.nodeId()).contains("host-b");
    assertThat(record.reason()).isEqualTo(claim.reason());
    assertThat(record.timestamp()).contains(WHEN);
    assertThat(record.isWonBy("host-b")).isTrue();
    assertThat(record.isWonBy("host-a")).isFalse();
  }

  @Test
  void everyTruncationIsCorruptNeverAnotherNode() {
    byte[] full = GoLiveRecordCodec.encode(claim);
    for (int length = 0; length < full.length - 1; length++) {
      GoLiveRecord record = GoLiveRecordCodec.decode(Arrays.copyOf(full, length), "web-1", 7);
      assertThat(record.nodeId()).as("prefix of %d bytes", length).isEmpty();
      assertThat(record.corruption()).as("prefix of %d bytes", length).isPresent();
    }
  }

  @Test
  void emptyRecordExplainsLikelyCrash() {
    GoLiveRecord record = GoLiveRecordCodec.decode(new byte[0], "web-1", 7);

    assertThat(record.corruption().orElseThrow()).contains("empty").contains("stopped between");
    assertThat(record.summary()).contains("won by unknown node (corrupt record");
  }

  @Test
  void flippedByteIsDetectedByChecksum() {
    byte[] bytes = GoLiveRecordCodec.encode(claim);
    String text = new String(bytes, StandardCharsets.UTF_8).replace("host-b", "host-c");

    GoLiveRecord record =
        GoLiveRecordCodec.decode(text.getBytes(StandardCharsets.UTF_8), "web-1", 7);

    assertThat(record.nodeId()).isEmpty();
    assertThat(record.corruption().orElseThrow()).contains("checksum mismatch");
  }

  @Test
  void recordStoredUnderTheWrongNameIsNotTrusted() {
    GoLiveRecord record = GoLiveRecordCodec.decode(GoLiveRecordCodec.encode(claim), "web-1", 8);

    assertThat(record.nodeId()).isEmpty();
    assertThat(record.corruption().orElseThrow())
        .contains("record names vmId=web-1 epoch=7")
        .contains("stored as vmId=web-1 epoch=8");
  }

  @Test
  void badTimestampAndUnknownKeysAreTolerated() {
    String body =
        "format=1\nvmId=web-1\nepoch=7\nnodeId=host-b\ntimestamp=yesterday\nfuture=thing\n";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bodyBytes);
    byte[] content =
        (body + String.format("crc32=%08x\n", crc.getValue())).getBytes(StandardCharsets.UTF_8);

    GoLiveRecord record = GoLiveRecordCodec.decode(content, "web-1", 7);

    assertThat(record.corruption()).isEmpty();
    assertThat(record.nodeId()).contains("host-b");
    assertThat(record.timestamp()).isEmpty();
  }
}
