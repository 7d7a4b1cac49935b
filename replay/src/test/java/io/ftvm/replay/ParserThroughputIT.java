package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The supervisor needs ~50 KB/s with MB/s bursts; this guards against regressions by orders. */
class ParserThroughputIT {
  private static final Logger log = LoggerFactory.getLogger(ParserThroughputIT.class);

  @Test
  void parsesTensOfMegabytesPerSecondInSmallChunks() throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.withHeader();
    // the typical mix: instruction + clock pairs, some checkpoints and network frames
    for (int i = 0; i < 200_000; i++) {
      builder.instructions(1000 + i % 5000);
      builder.clock(EventKind.CLOCK_VIRTUAL_RT, i * 1000L);
      if (i % 10 == 0) {
        builder.event(EventKind.CHECKPOINT_CLOCK_WARP_ACCOUNT);
      }
      if (i % 100 == 0) {
        builder.event(EventKind.ASYNC_NET).byte8(0).dword(0).array(1500);
      }
    }
    byte[] bytes = builder.bytes();
    double best = 0;
    for (int round = 0; round < 5; round++) {
      StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long start = System.nanoTime();
      for (int offset = 0; offset < bytes.length; offset += 4096) {
        buffer.limit(Math.min(bytes.length, offset + 4096)).position(offset);
        parser.feed(buffer);
      }
      parser.endOfStream();
      double mbPerSecond = bytes.length / 1e6 / ((System.nanoTime() - start) / 1e9);
      best = Math.max(best, mbPerSecond);
      assertThat(parser.eventCount()).isEqualTo(200_000 * 2 + 20_000 + 2_000);
    }
    log.info("parser throughput: {} MB/s on {} bytes", String.format("%.0f", best), bytes.length);
    assertThat(best).isGreaterThan(20.0);
  }
}
