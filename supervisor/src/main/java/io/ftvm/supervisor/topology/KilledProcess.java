package io.ftvm.supervisor.topology;

/**
 * A process that {@link PairTopology#killAllProcesses} killed.
 *
 * @param pid its pid
 * @param commandLine its command line as it was before the kill, or "?" if unreadable
 */
public record KilledProcess(long pid, String commandLine) {}
