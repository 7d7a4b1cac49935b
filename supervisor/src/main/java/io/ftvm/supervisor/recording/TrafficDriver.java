package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.pair.NetdevConnection;
import java.io.IOException;

/**
 * The world outside a recorded VM's NIC. Network input must come from outside the guest while
 * recording, so that replaying the log proves the frames were logged and injected; for workloads
 * without network the outside world only has to swallow what the guest sends.
 */
public interface TrafficDriver extends AutoCloseable {

  /** Takes over the guest's NIC socket; called after binding it and before QEMU starts. */
  void attach(NetdevConnection nic) throws IOException;

  /** The guest printed its ready line: its services listen now. */
  void guestReady() throws IOException;

  /**
   * Stops talking to the guest; called before QEMU is asked to quit, so no client sees the guest
   * vanish mid-exchange and no frame is sent into a closing NIC.
   */
  void stopTraffic();

  /** One line for the recording report, e.g. how many connections succeeded. */
  String summary();

  /** Stops all traffic and removes whatever was created; safe to call more than once. */
  @Override
  void close();
}
