package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mutual-TLS logging channel over real loopback sockets: a working pair, encryption on the
 * wire, and every way a peer must be refused, each with a reason that names the problem.
 */
class MutualTlsChannelTest {
  private static final NodeIdentity PRIMARY = new NodeIdentity("node-a", "vm-tls", 1);
  private static final NodeIdentity BACKUP = new NodeIdentity("node-b", "vm-tls", 1);
  private static final byte[] MARKER =
      "FTVM-PLAINTEXT-MARKER-".repeat(50).getBytes(StandardCharsets.US_ASCII);
  private static final PairCertificateAuthority CA =
      PairCertificateAuthority.create("test", Duration.ofDays(1));
  private static final PairCertificateAuthority.IssuedCertificate NODE_A =
      CA.issue("node-a", Duration.ofDays(1));
  private static final PairCertificateAuthority.IssuedCertificate NODE_B =
      CA.issue("node-b", Duration.ofDays(1));

  private final ChannelSettings settings =
      ChannelSettings.defaults()
          .withHandshakeTimeout(Duration.ofSeconds(3))
          .withReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private final LoopbackStreamIT.MemoryLogSource source =
      new LoopbackStreamIT.MemoryLogSource(repeat(MARKER, 64));

  private static byte[] repeat(byte[] chunk, int times) {
    byte[] out = new byte[chunk.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(chunk, 0, out, i * chunk.length, chunk.length);
    }
    return out;
  }

  /** Remembers why sessions ended, as "CODE:reason". */
  static final class ClosedSessions implements ChannelListener {
    final List<String> closes = new CopyOnWriteArrayList<>();

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      closes.add(code + ":" + reason);
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("ftvm-log-") && t.isAlive()));
  }

  private static ChannelSecurity tls(PairCertificateAuthority.IssuedCertificate own, String peer) {
    return ChannelSecurity.mutualTls(CA.credentials(own), peer);
  }

  private LogStreamReceiver backup(ChannelSecurity security, LoopbackStreamIT.Collector collector)
      throws InterruptedException {
    LogStreamReceiver receiver =
        new LogStreamReceiver(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            BACKUP,
            security,
            settings,
            collector,
            0);
    collector.receiver = receiver;
    resources.add(receiver);
    return receiver;
  }

  private LogStreamSender primary(
      int port, ChannelSecurity security, LogSource source, ChannelListener listener) {
    LogStreamSender sender =
        new LogStreamSender("127.0.0.1", port, PRIMARY, security, settings, source, listener, 0);
    resources.add(0, sender);
    sender.start();
    return sender;
  }

  /** Offers {@code count} chunks of the marker and waits until the backup acknowledged them. */
  private long stream(
      LogStreamSender sender, LoopbackStreamIT.Collector collector, long from, int count) {
    long position = from;
    for (int i = 0; i < count; i++) {
      source.chunks.put(position, MARKER.length);
      sender.offer(position, Unpooled.wrappedBuffer(MARKER));
      position += MARKER.length;
    }
    long end = position;
    await().atMost(Duration.ofSeconds(10)).until(() -> collector.end == end);
    collector.receiver.ack(end);
    await().atMost(Duration.ofSeconds(10)).until(() -> sender.ackedPosition() == end);
    return end;
  }

  @Test
  void pairStreamsAndAcksOverTls13WithNothingInClearOnTheWire() throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(NODE_B, "node-a"), collector).start();
    TlsRecordProxy proxy = new TlsRecordProxy(address, true);
    resources.add(proxy);
    LogStreamSender sender =
        primary(proxy.port(), tls(NODE_A, "node-b"), source, new ChannelListener() {});

    stream(sender, collector, 0, 20);

    assertThat(collector.orderError).isNull();
    byte[] wire = proxy.clientBytes();
    assertThat(wire.length).isGreaterThan(20 * MARKER.length);
    assertThat(indexOf(wire, "FTVM-PLAINTEXT".getBytes(StandardCharsets.US_ASCII)))
        .as("log bytes must not appear in clear on the wire")
        .isNegative();
  }

  @Test
  void preSharedKeyModeStillWorksAndSendsLogInClear() throws Exception {
    ChannelSecurity psk = ChannelSecurity.preShared(PreSharedKey.of(new byte[32]));
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(psk, collector).start();
    TlsRecordProxy proxy = new TlsRecordProxy(address, false);
    resources.add(proxy);
    LogStreamSender sender = primary(proxy.port(), psk, source, new ChannelListener() {});

    stream(sender, collector, 0, 5);

    // The same probe as the TLS test finds the marker: that test can fail.
    assertThat(indexOf(proxy.clientBytes(), "FTVM-PLAINTEXT".getBytes(StandardCharsets.US_ASCII)))
        .isNotNegative();
  }

  @Test
  void peerWithoutCertificateIsRefused() throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(NODE_B, "node-a"), collector).start();
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, new TrustManager[] {new TrustEverything()}, new SecureRandom());
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", address.getPort())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.setSoTimeout(5000);
      assertThatThrownBy(
              () -> {
                socket.startHandshake();
                socket.getOutputStream().write(new byte[] {0, 0, 0, 1, 4});
                socket.getOutputStream().flush();
                drain(socket.getInputStream());
              })
          .isInstanceOf(IOException.class);
    }
    await().until(() -> !collector.closes.isEmpty());
    assertThat(collector.closes.get(0))
        .startsWith("TLS_FAILED:")
        .contains("peer presented no certificate");
    assertThat(collector.end).isZero();
  }

  @Test
  void certificateOfAnotherCaIsRefused() throws Exception {
    PairCertificateAuthority otherCa = PairCertificateAuthority.create("other", Duration.ofDays(1));
    ChannelSecurity impostor =
        ChannelSecurity.mutualTls(
            otherCa.credentials(otherCa.issue("node-b", Duration.ofDays(1))), "node-a");
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(impostor, collector).start();
    ClosedSessions primarySide = new ClosedSessions();

    primary(address.getPort(), tls(NODE_A, "node-b"), source, primarySide);

    await().atMost(Duration.ofSeconds(10)).until(() -> !primarySide.closes.isEmpty());
    assertThat(primarySide.closes.get(0))
        .startsWith("TLS_FAILED:")
        .contains(
            "peer certificate 'CN=node-b' (issuer 'CN=ftvm pair other CA') is not signed by this"
                + " pair's CA 'CN=ftvm pair test CA'");
    assertThat(collector.end).isZero();
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    Instant now = Instant.now();
    PairCertificateAuthority.IssuedCertificate expired =
        CA.issue("node-a", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));

    List<String> refusals = refusalOfPrimary(tls(expired, "node-b"));

    assertThat(refusals.get(0))
        .startsWith("TLS_FAILED:")
        .contains("peer certificate 'CN=node-a' expired on");
  }

  @Test
  void certificateOfAThirdNodeOfTheSameCaIsRefused() throws Exception {
    PairCertificateAuthority.IssuedCertificate nodeC = CA.issue("node-c", Duration.ofDays(1));

    List<String> refusals = refusalOfPrimary(tls(nodeC, "node-b"));

    assertThat(refusals.get(0))
        .startsWith("TLS_FAILED:")
        .contains("peer certificate names node [node-c] but the configured peer is 'node-a'");
  }

  @Test
  void primaryRefusesABackupPresentingAnotherNodesCertificate() throws Exception {
    PairCertificateAuthority.IssuedCertificate nodeC = CA.issue("node-c", Duration.ofDays(1));
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(nodeC, "node-a"), collector).start();
    ClosedSessions primarySide = new ClosedSessions();

    primary(address.getPort(), tls(NODE_A, "node-b"), source, primarySide);

    await().atMost(Duration.ofSeconds(10)).until(() -> !primarySide.closes.isEmpty());
    assertThat(primarySide.closes.get(0))
        .startsWith("TLS_FAILED:")
        .contains("peer certificate names node [node-c] but the configured peer is 'node-b'");
    assertThat(collector.end).isZero();
  }

  @Test
  void pskPeerTalkingToATlsBackupIsToldWhy() throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(NODE_B, "node-a"), collector).start();

    primary(
        address.getPort(),
        ChannelSecurity.preShared(PreSharedKey.of(new byte[32])),
        source,
        new ChannelListener() {});

    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.closes.isEmpty());
    assertThat(collector.closes.get(0)).startsWith("TLS_FAILED:").contains("does not speak TLS");
  }

  @Test
  void recordReplayedIntoALiveSessionIsRejected() throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(NODE_B, "node-a"), collector).start();
    TlsRecordProxy proxy = new TlsRecordProxy(address, true);
    resources.add(proxy);
    LogStreamSender sender =
        primary(proxy.port(), tls(NODE_A, "node-b"), source, new ChannelListener() {});
    long end = stream(sender, collector, 0, 5);

    proxy.replayAnEarlierRecord();
    source.chunks.put(end, MARKER.length);
    sender.offer(end, Unpooled.wrappedBuffer(MARKER));

    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.closes.isEmpty());
    assertThat(collector.closes.get(0))
        .startsWith("TLS_FAILED:")
        .contains("did not authenticate (bytes tampered with, replayed or injected");
    assertThat(collector.orderError).isNull();
    assertThat(collector.end).isLessThanOrEqualTo(end + MARKER.length);
  }

  @Test
  void recordedSessionReplayedOnANewConnectionIsRejected() throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    LogStreamReceiver receiver = backup(tls(NODE_B, "node-a"), collector);
    InetSocketAddress address = receiver.start();
    TlsRecordProxy proxy = new TlsRecordProxy(address, true);
    resources.add(proxy);
    LogStreamSender sender =
        primary(proxy.port(), tls(NODE_A, "node-b"), source, new ChannelListener() {});
    long end = stream(sender, collector, 0, 5);
    sender.close();
    await().until(() -> !collector.closes.isEmpty());
    collector.closes.clear();
    byte[] recorded = proxy.clientBytes();

    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(recorded);
      socket.getOutputStream().flush();
      drain(socket.getInputStream());
    } catch (IOException resetByBackup) {
      // the backup may reset the connection: what matters is what it reports and delivers
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.closes.isEmpty());
    assertThat(collector.closes.get(0)).startsWith("TLS_FAILED:").contains("TLS handshake");
    assertThat(collector.end).isEqualTo(end);
    assertThat(receiver.stats().bytesReceived()).isEqualTo(end);
  }

  @Test
  void credentialsLoadFromPemFilesAndRefuseAForeignKey(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("ca.crt"), CA.certificatePem());
    Files.writeString(dir.resolve("a.crt"), NODE_A.certificatePem());
    Files.writeString(dir.resolve("a.key"), NODE_A.privateKeyPem());
    Files.writeString(dir.resolve("b.key"), NODE_B.privateKeyPem());

    TlsCredentials loaded =
        TlsCredentials.load(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"));

    assertThat(loaded.nodeId()).isEqualTo("node-a");
    assertThat(loaded.certificate()).isEqualTo(NODE_A.certificate());
    assertThatThrownBy(
            () ->
                TlsCredentials.load(
                    dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("b.key")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the private key does not belong to certificate 'CN=node-a'");
    assertThatThrownBy(
            () ->
                TlsCredentials.load(
                    dir.resolve("ca.crt"), dir.resolve("missing.crt"), dir.resolve("a.key")))
        .hasMessageContaining("node certificate " + dir.resolve("missing.crt") + " does not exist");
  }

  /** Starts a TLS backup and a primary with {@code primarySecurity}; the backup's refusals. */
  private List<String> refusalOfPrimary(ChannelSecurity primarySecurity) throws Exception {
    LoopbackStreamIT.Collector collector = new LoopbackStreamIT.Collector();
    InetSocketAddress address = backup(tls(NODE_B, "node-a"), collector).start();
    ClosedSessions primarySide = new ClosedSessions();
    primary(address.getPort(), primarySecurity, source, primarySide);
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.closes.isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> !primarySide.closes.isEmpty());
    assertThat(primarySide.closes.get(0))
        .as("the refused primary is told too")
        .startsWith("TLS_FAILED:");
    assertThat(collector.end).isZero();
    return collector.closes;
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    while (in.read(buffer) >= 0) {
      // until the backup closes
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A client that would accept any server: only the backup's refusal is under test. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
