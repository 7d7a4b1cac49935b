package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.pair.NetdevConnection;

/** The outside world of the idle, cpu and disk workloads: silent, drops the guest's frames. */
public final class NoTraffic implements TrafficDriver {
  private final FrameDiscarder discarder = new FrameDiscarder();

  @Override
  public void attach(NetdevConnection nic) {
    discarder.start(nic);
  }

  @Override
  public void guestReady() {}

  @Override
  public void stopTraffic() {}

  @Override
  public String summary() {
    return "no network traffic (" + discarder.framesDropped() + " frames from the guest dropped)";
  }

  @Override
  public void close() {}
}
