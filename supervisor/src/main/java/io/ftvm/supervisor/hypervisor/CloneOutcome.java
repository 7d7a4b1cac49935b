package io.ftvm.supervisor.hypervisor;

import java.time.Duration;

/**
 * What a finished clone cost.
 *
 * @param pause how long the guest was stopped (QEMU's STOP to RESUME event timestamps)
 * @param diskBytes bytes the disk mirror copied
 * @param ramBytes RAM bytes the migration sent
 * @param total from the start of the copy to the resumed VM
 */
public record CloneOutcome(Duration pause, long diskBytes, long ramBytes, Duration total) {}
