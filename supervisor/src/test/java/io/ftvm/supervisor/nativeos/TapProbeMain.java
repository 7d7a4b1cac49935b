package io.ftvm.supervisor.nativeos;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Child-JVM body for {@link TapDeviceIT}, run under {@code ip netns exec}: creates a TAP, lets the
 * kernel ARP for a neighbour through it, answers with a forged ARP reply written to the TAP, and
 * prints what it saw as {@code key=value} lines.
 */
public final class TapProbeMain {
  static final String OUR_IP = "10.250.0.1";
  static final String PEER_IP = "10.250.0.2";
  static final String PEER_MAC = "02:00:00:fa:ce:01";

  private TapProbeMain() {}

  public static void main(String[] args) throws Exception {
    try (TapDevice tap = TapDevice.open("ftvmtest%d")) {
      System.out.println("name=" + tap.name());
      run("ip", "addr", "add", OUR_IP + "/24", "dev", tap.name());
      run("ip", "link", "set", tap.name(), "up");
      try (DatagramSocket socket = new DatagramSocket()) {
        byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(PEER_IP), 9));
      }
      byte[] frame = new byte[2048];
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        int length = tap.readFrame(frame, Duration.ofMillis(500));
        if (length >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame[21] == 1) {
          System.out.println("arpRequestLength=" + length);
          byte[] reply = arpReply(frame);
          tap.writeFrame(reply, 0, reply.length);
          System.out.println("arpReplyWritten=" + reply.length);
          break;
        }
      }
      System.out.flush();
      System.in.read(); // keep the TAP while the test checks the neighbour table
    }
  }

  /** An ARP reply "PEER_IP is at PEER_MAC" to the requester. */
  static byte[] arpReply(byte[] request) {
    byte[] peerMac = HexFormat.ofDelimiter(":").parseHex(PEER_MAC);
    byte[] reply = new byte[42];
    System.arraycopy(request, 6, reply, 0, 6); // to the requester
    System.arraycopy(peerMac, 0, reply, 6, 6);
    reply[12] = 0x08;
    reply[13] = 0x06;
    System.arraycopy(request, 14, reply, 14, 6); // htype, ptype, hlen, plen
    reply[20] = 0;
    reply[21] = 2; // reply
    System.arraycopy(peerMac, 0, reply, 22, 6);
    System.arraycopy(request, 38, reply, 28, 4); // sender IP = the IP asked for
    System.arraycopy(request, 22, reply, 32, 10); // target = requester MAC + IP
    return reply;
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }
}
