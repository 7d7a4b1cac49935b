package io.ftvm.supervisor.pair;

import io.ftvm.lock.StorageUnavailableException;

/**
 * Which node runs the VM as primary now, as a joining node learns it before it offers itself: the
 * primary connects to the joiner, whose logging channel admits only that node's certificate.
 */
interface PrimaryLocator {
  /** The node id of the current primary. */
  String currentPrimary() throws StorageUnavailableException;
}
