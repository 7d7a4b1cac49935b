package io.ftvm.supervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An asynchronous QMP event such as {@code STOP}, {@code SHUTDOWN} or {@code RESET}.
 *
 * @param name the event name ({@code "event"} member)
 * @param data the {@code "data"} member, or an empty object when QEMU sent none
 * @param timestamp when QEMU emitted it (its {@code "timestamp"} member), not when we received it
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp) {}
