package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Who may administer a node: root (the daemon's user) only, or also the members of one configured
 * group. Enforced by file modes, as for other root daemons' sockets: the node's state directory
 * (replay log with every packet the VM received, console log, QEMU sockets, role) is 0700 or 0750,
 * its control socket (failover, stop, protect) 0600 or 0660, group-owned by the admin group. A Unix
 * socket needs write permission to connect, so nobody else can send a command.
 */
public final class AdminAccess {
  private final String group;

  private AdminAccess(String group) {
    this.group = group;
  }

  public static AdminAccess rootOnly() {
    return new AdminAccess(null);
  }

  /** {@code group} null or empty: root only. */
  public static AdminAccess forGroup(String group) {
    return group == null || group.isBlank() ? rootOnly() : new AdminAccess(group);
  }

  public void restrictDirectory(Path dir) throws IOException {
    apply(dir, group == null ? "rwx------" : "rwxr-x---");
  }

  public void restrictSocket(Path socket) throws IOException {
    apply(socket, group == null ? "rw-------" : "rw-rw----");
  }

  /** For logs: "root only" or "root and group g". */
  public String describe() {
    return group == null ? "root only" : "root and group " + group;
  }

  private void apply(Path path, String mode) throws IOException {
    if (group != null) {
      GroupPrincipal principal;
      try {
        principal =
            FileSystems.getDefault()
                .getUserPrincipalLookupService()
                .lookupPrincipalByGroupName(group);
      } catch (UserPrincipalNotFoundException e) {
        throw new IOException("admin group '" + group + "' does not exist on this host", e);
      }
      Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(principal);
    }
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
  }
}
