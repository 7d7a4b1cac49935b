package io.ftvm.channel;

/** What an endpoint's channels need for failure detection: the rule, the measurements, the beat. */
record Liveness(PeerMonitor monitor, HeartbeatStats stats, Heartbeats heartbeats) {}
