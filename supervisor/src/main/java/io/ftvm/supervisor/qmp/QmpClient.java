package io.ftvm.supervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A negotiated QMP session with one QEMU. Commands may be issued from any thread; replies are
 * matched by request id, so several commands can be outstanding at once.
 */
public interface QmpClient extends AutoCloseable {

  /** The version QEMU announced in its greeting. */
  QemuVersion qemuVersion();

  /**
   * Sends {@code command} and completes with its {@code "return"} member. Fails with {@link
   * QmpCommandException} on a QMP error, {@link QmpTimeoutException} after {@code timeout}, or
   * {@link QmpConnectionClosedException} if the connection ends first.
   *
   * @param arguments the {@code "arguments"} member, or null for none
   */
  CompletableFuture<JsonNode> execute(String command, ObjectNode arguments, Duration timeout);

  /** {@link #execute(String, ObjectNode, Duration)} with the client's default timeout. */
  CompletableFuture<JsonNode> execute(String command, ObjectNode arguments);

  /** Like {@link #execute(String, ObjectNode)} without arguments, waiting for the reply. */
  JsonNode executeAndWait(String command);

  void addEventListener(QmpEventListener listener);

  void removeEventListener(QmpEventListener listener);

  /** Completes when the connection has ended, for whatever reason. */
  CompletableFuture<Void> closed();

  boolean isOpen();

  /** Closes the socket and fails outstanding commands; idempotent. Does not stop QEMU. */
  @Override
  void close();
}
