package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.vm.ReadinessProbe;
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
 * Issue 9: go-live without knowing the guest's IP. ftvm's config has no guest IP: the primary
 * learns it from the guest's traffic and passes it to the backup, which at go-live announces the
 * VM's MAC by RARP and the learned address by gratuitous ARP; the client's connection survives a
 * kill of host A. Once with the test guest configuring 10.77.0.10 itself, once with the guest
 * getting it from a DHCP server on the client host (and "guest up" decided by a TCP probe).
 */
class LearnedGuestAddressIT {
  private static final Logger log = LoggerFactory.getLogger(LearnedGuestAddressIT.class);

  /** The test guest as it is, except that ftvm is not told its IP. */
  private static PairGuest withoutConfiguredIp(PairGuest guest, String guestIpOption) {
    return new PairGuest() {
      @Override
      public PairConfig.GuestSpec spec(String guestCidr, String reservedMac) throws IOException {
        PairConfig.GuestSpec s = guest.spec(guestCidr, reservedMac);
        return new PairConfig.GuestSpec(
            s.kernel(),
            s.initrd(),
            // The guest's /init takes the last ftvm.ip= on its command line.
            guestIpOption == null ? s.kernelAppend() : s.kernelAppend() + " " + guestIpOption,
            s.memoryMib(),
            s.mac(),
            null,
            s.readyLinePrefix(),
            s.hardware(),
            s.description(),
            s.readiness());
      }

      @Override
      public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
        return guest.copyDisksInto(nodeDirectory);
      }

      @Override
      public String describe() {
        return guest.describe()
            + ", IP not configured"
            + (guestIpOption == null ? "" : ", " + guestIpOption);
      }
    };
  }

  @Test
  void theBackupAnnouncesTheAddressTheGuestWasSeenUsing() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-learned-ip-");
    PairGuest guest = withoutConfiguredIp(new TestVmGuest(TestEnvironment.testVm(), "all"), null);
    try (PairHarness harness =
        PairHarness.start(
            work, guest, Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS))) {
      learnedAnnouncedAndSurvived(harness);
    }
    FileTrees.deleteTree(work);
  }

  /**
   * The guest boots with {@code ftvm.ip=dhcp} and takes its lease from busybox udhcpd on the client
   * host (the LAN's only address pool: the address the pair's LAN reserves for the guest, which the
   * harness's clients use). ftvm learns the leased address and announces it at go-live. "Guest up"
   * is the TCP probe of the counter port, which needs the learned address too.
   */
  @Test
  void aDhcpGuestsLeaseIsLearnedAnnouncedAndItsConnectionSurvives() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-dhcp-");
    PairGuest guest =
        new ProbedGuest(
            withoutConfiguredIp(new TestVmGuest(TestEnvironment.testVm(), "all"), "ftvm.ip=dhcp"),
            ReadinessProbe.tcp(PairHarness.COUNTER_PORT));
    try (PairHarness harness =
        PairHarness.start(
            work, guest, Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS))) {
      String guestIp = harness.pair().topology().guestAddress().address();
      Path leases = work.resolve("udhcpd.leases");
      Path dhcpLog = work.resolve("udhcpd.log");
      Path dhcpConfig = work.resolve("udhcpd.conf");
      Files.writeString(
          dhcpConfig,
          String.join(
              "\n",
              "start " + guestIp,
              "end " + guestIp,
              "interface eth0",
              "max_leases 1",
              "lease_file " + leases,
              "option subnet 255.255.255.0",
              "option lease 86400",
              ""));
      Files.writeString(leases, "");
      // The guest's udhcpc keeps asking for a minute; the server may come up while it boots.
      Process dhcpServer =
          harness.startTied(
              new ProcessBuilder(
                      harness
                          .pair()
                          .topology()
                          .commandIn(
                              HostRole.CLIENT,
                              List.of("busybox", "udhcpd", "-f", dhcpConfig.toString())))
                  .redirectErrorStream(true)
                  .redirectOutput(dhcpLog.toFile()));

      harness.awaitGuestService();
      await("the primary's TCP probe sees the guest up")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  harness.status(LocalPair.PRIMARY).guest().readiness() == GuestView.Readiness.UP);
      assertThat(harness.status(LocalPair.BACKUP).guest().readiness())
          .as("a backup does not probe: its guest's frames are discarded")
          .isEqualTo(GuestView.Readiness.BOOTING);

      learnedAnnouncedAndSurvived(harness);

      dhcpServer.destroy(); // before the namespaces go: ip netns exec ran udhcpd in its place
      assertThat(Files.readString(dhcpLog)).as("udhcpd's log").contains("ACK").contains(guestIp);
      String console =
          Files.readString(
              harness
                  .pair()
                  .config()
                  .node(LocalPair.BACKUP)
                  .stateDirectory()
                  .resolve("console.log"));
      assertThat(console)
          .as("the guest's own account of its address")
          .contains("FTVM net if=eth0 ip=" + guestIp + "/24");
      await("the survivor's own TCP probe sees the guest up once it is live")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> harness.status(LocalPair.BACKUP).guest().readiness() == GuestView.Readiness.UP);
      assertThat(harness.status(LocalPair.BACKUP).guest().detail())
          .as("guest up by the TCP probe, from the survivor once live")
          .startsWith("TCP " + guestIp + ":" + PairHarness.COUNTER_PORT + " accepted a connection");
    }
    FileTrees.deleteTree(work);
  }

  private static void learnedAnnouncedAndSurvived(PairHarness harness) throws Exception {
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
}
