package io.ftvm.supervisor.pair;

/** Who this node is in its pair: what claims, fence requests and log lines name. */
record NodeIds(String vmId, long epoch, String node, String peer) {}
