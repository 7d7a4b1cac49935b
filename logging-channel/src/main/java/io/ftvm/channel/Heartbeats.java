package io.ftvm.channel;

import java.util.ArrayList;
import java.util.List;

/**
 * The authenticated sessions of one endpoint that should send heartbeats. Confined to the
 * endpoint's event loop: sessions join and leave there, and the failure detector's tick posts
 * {@link #beat()} there.
 */
final class Heartbeats {
  private final List<EndpointHandler> sessions = new ArrayList<>();

  void add(EndpointHandler session) {
    if (!sessions.contains(session)) {
      sessions.add(session);
    }
  }

  void remove(EndpointHandler session) {
    sessions.remove(session);
  }

  void beat() {
    for (EndpointHandler session : List.copyOf(sessions)) {
      session.sendHeartbeat();
    }
  }
}
