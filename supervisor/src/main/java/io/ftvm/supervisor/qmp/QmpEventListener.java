package io.ftvm.supervisor.qmp;

/**
 * Receives QMP events. Called on the client's event thread, one event at a time in arrival order; a
 * listener may issue QMP commands but must not block for long, or later events queue up.
 */
@FunctionalInterface
public interface QmpEventListener {
  void onEvent(QmpEvent event);
}
