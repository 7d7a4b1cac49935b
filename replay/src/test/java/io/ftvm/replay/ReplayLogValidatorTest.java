package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayLogValidatorTest {
  @TempDir Path dir;

  private Path resource(String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/recordings/" + name)) {
      assertThat(in).as("test resource " + name).isNotNull();
      Files.copy(in, target);
    }
    return target;
  }

  @Test
  void realCleanRecordingIsConsumedCompletelyAndEndsWithEnd() throws Exception {
    Path log = resource("idle-pc-4s.bin");

    LogStats stats = new ReplayLogValidator().validateFinished(log);

    assertThat(stats.headerVersion()).isEqualTo(ReplayLogFormat.REPLAY_VERSION);
    assertThat(stats.headerReserved()).isZero();
    assertThat(stats.bytesSeen()).isEqualTo(Files.size(log)).isEqualTo(18942);
    assertThat(stats.lastCompleteBoundary()).isEqualTo(stats.bytesSeen());
    assertThat(stats.endSeen()).isTrue();
    assertThat(stats.count(EventKind.SHUTDOWN_HOST_SIGNAL)).isEqualTo(1);
    assertThat(stats.count(EventKind.CHECKPOINT_INIT)).isEqualTo(1);
    assertThat(stats.instructions()).isPositive();
    assertThat(stats.durationSeconds()).isBetween(2.0, 6.0);
  }

  @Test
  void realKilledRecordingIsRejectedThenCutToItsLastCompleteEvent() throws Exception {
    Path log = resource("idle-pc-killed.bin");
    byte[] original = Files.readAllBytes(log);

    assertThatThrownBy(() -> new ReplayLogValidator().validate(log))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.UNFINALIZED_HEADER));

    ReplayLogValidator lenient =
        new ReplayLogValidator(ParserOptions.strict().withAllowUnfinalizedHeader(true));
    long cutAt = new ReplayLogValidator().cutToLastCompleteEvent(log);

    assertThat(cutAt).isLessThanOrEqualTo(original.length).isGreaterThan(12);
    assertThat(Files.size(log)).isEqualTo(cutAt);
    assertThat(Files.readAllBytes(log)).isEqualTo(Arrays.copyOf(original, (int) cutAt));
    LogStats stats = lenient.validate(log);
    assertThat(stats.headerUnfinalized()).isTrue();
    assertThat(stats.endSeen()).isFalse();
    assertThat(stats.bytesSeen()).isEqualTo(cutAt);
  }

  @Test
  void deadRecordingIsFinishedLikeReplayFinishWouldHave() throws Exception {
    Path log = resource("idle-pc-killed.bin");
    byte[] original = Files.readAllBytes(log);

    LogStats stats = new ReplayLogValidator().finishDeadRecording(log);

    byte[] finished = Files.readAllBytes(log);
    assertThat(stats.headerVersion()).isEqualTo(ReplayLogFormat.REPLAY_VERSION);
    assertThat(stats.endSeen()).isTrue();
    assertThat(stats.count(EventKind.SHUTDOWN_HOST_SIGNAL)).isEqualTo(1);
    assertThat(finished[finished.length - 2]).isEqualTo((byte) 0x0e);
    assertThat(finished[finished.length - 1]).isEqualTo((byte) 0x27);
    assertThat(Arrays.copyOfRange(finished, 4, finished.length - 2))
        .isEqualTo(Arrays.copyOfRange(original, 4, finished.length - 2));
    // a second call leaves the finished log alone
    new ReplayLogValidator().finishDeadRecording(log);
    assertThat(Files.readAllBytes(log)).isEqualTo(finished);
  }

  @Test
  void cutRemovesAHalfWrittenNetEvent() throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.withHeader().instructions(100);
    byte[] whole = builder.event(EventKind.ASYNC_NET).byte8(0).dword(0).array(100).bytes();
    Path log = dir.resolve("half.bin");
    Files.write(log, Arrays.copyOf(whole, whole.length - 30));

    assertThatThrownBy(() -> new ReplayLogValidator().validate(log))
        .hasMessage(
            "truncated replay log: stream ends 80 bytes into an ASYNC_NET event that started at"
                + " byte 17");
    assertThat(new ReplayLogValidator().cutToLastCompleteEvent(log)).isEqualTo(17);
    assertThat(new ReplayLogValidator().validate(log).instructions()).isEqualTo(100);
  }

  @Test
  void corruptLogIsNotCutAndLosesNothing() throws Exception {
    byte[] bytes =
        ReplayLogBuilder.withHeader().instructions(1).byte8(0x55).instructions(2).bytes();
    Path log = dir.resolve("corrupt.bin");
    Files.write(log, bytes);

    assertThatThrownBy(() -> new ReplayLogValidator().cutToLastCompleteEvent(log))
        .hasMessageContaining("unknown event code 0x55 after INSTRUCTION event");
    assertThat(Files.readAllBytes(log)).isEqualTo(bytes);
  }

  @Test
  void finishedValidationDemandsEnd() throws Exception {
    Path log = dir.resolve("noend.bin");
    Files.write(log, ReplayLogBuilder.withHeader().instructions(1).bytes());
    assertThat(new ReplayLogValidator().validate(log).endSeen()).isFalse();
    assertThatThrownBy(() -> new ReplayLogValidator().validateFinished(log))
        .hasMessageContaining("has no END event after 1 events (17 bytes)");
  }
}
