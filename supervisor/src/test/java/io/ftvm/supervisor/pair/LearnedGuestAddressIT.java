package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9: go-live without knowing the guest's IP. ftvm's config has no guest IP (the test guest
 * still configures 10.77.0.10 itself, as a DHCP guest would get one): the primary learns it from
 * the guest's traffic and passes it to the backup, which at go-live announces the VM's MAC by RARP
 * and the learned address by gratuitous ARP; the client's connection survives a kill of host A.
 */
class LearnedGuestAddressIT {
  private static final Logger log = LoggerFactory.getLogger(LearnedGuestAddressIT.class);

  /** The test guest as it is, except that ftvm is not told its IP. */
  private static PairGuest withoutConfiguredIp(PairGuest guest) {
    return new PairGuest() {
      @Override
      public PairConfig.GuestSpec spec(String guestCidr, String reservedMac) throws IOException {
        PairConfig.GuestSpec s = guest.spec(guestCidr, reservedMac);
        return new PairConfig.GuestSpec(
            s.kernel(),
            s.initrd(),
            s.kernelAppend(),
            s.memoryMib(),
            s.mac(),
            null,
            s.readyLinePrefix(),
            s.hardware(),
            s.description());
      }

      @Override
      public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
        return guest.copyDisksInto(nodeDirectory);
      }

      @Override
      public String describe() {
        return guest.describe() + ", IP not configured";
      }
    };
  }

  @Test
  void theBackupAnnouncesTheAddressTheGuestWasSeenUsing() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-learned-ip-");
    PairGuest guest = withoutConfiguredIp(new TestVmGuest(TestEnvironment.testVm(), "all"));
    try (PairHarness harness =
        PairHarness.start(
            work, guest, Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS))) {
      assertThat(harness.pair().config().vm().ip()).as("ftvm is not told the IP").isNull();
      String guestIp = harness.pair().topology().guestAddress().address();
      harness.awaitGuestService();
      for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
        await(node + " knows the guest's address")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> harness.status(node).guest().address().equals(guestIp));
        assertThat(harness.status(node).guest().addressSource()).contains("learned");
      }

      Map<String, Object> measured = KillPrimaryScenario.run(harness);

      String survivorLog =
          Files.readString(
              harness
                  .pair()
                  .config()
                  .node(LocalPair.BACKUP)
                  .stateDirectory()
                  .resolve("supervisor.log"));
      assertThat(survivorLog)
          .as("go-live announcement")
          .contains("(3 RARPs) at " + guestIp + " (learned from its traffic; 3 gratuitous ARPs)");
      log.info("measured {}", measured);
    }
    FileTrees.deleteTree(work);
  }
}
