package io.ftvm.supervisor.pair;

import io.ftvm.channel.ChannelSecurity;
import io.ftvm.channel.PairCertificateAuthority;
import io.ftvm.channel.PreSharedKey;
import io.ftvm.channel.TlsCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a pair's logging-channel credentials live and how they are written and read. A TLS
 * directory holds {@code ca.crt} (both hosts), {@code <node>.crt} and {@code <node>.key} (only that
 * node's host) and, where {@code ftvm init} ran, {@code ca.key} (keep it off the hosts). The
 * directory is 0700 and keys are 0600 from creation on, so no other user ever can read them.
 */
public final class ChannelCredentialFiles {
  private static final Logger log = LoggerFactory.getLogger(ChannelCredentialFiles.class);
  public static final String CA_CERTIFICATE = "ca.crt";
  public static final String CA_KEY = "ca.key";

  private ChannelCredentialFiles() {}

  public static Path certificate(Path tlsDirectory, String nodeId) {
    return tlsDirectory.resolve(nodeId + ".crt");
  }

  public static Path key(Path tlsDirectory, String nodeId) {
    return tlsDirectory.resolve(nodeId + ".key");
  }

  /**
   * What protects {@code nodeId}'s end of the channel to the config's own peer (a/b): TLS if
   * configured, else the PSK.
   */
  public static ChannelSecurity load(PairConfig config, String nodeId) throws IOException {
    return load(config, nodeId, config.peerOf(nodeId));
  }

  /**
   * What protects {@code nodeId}'s end of the channel to {@code peer}, the other node of the
   * current pairing (after re-protection a spare, or the primary a joiner waits for): TLS pins that
   * node's name.
   */
  public static ChannelSecurity load(PairConfig config, String nodeId, String peer)
      throws IOException {
    if (config.tlsDirectory() != null) {
      Path dir = config.tlsDirectory();
      TlsCredentials credentials =
          TlsCredentials.load(
              dir.resolve(CA_CERTIFICATE), certificate(dir, nodeId), key(dir, nodeId));
      // The peer accepts the node's CN or a DNS SAN (an admin's own certificates may carry the
      // host's name as CN and the node id as SAN), so the same goes here.
      if (!credentials.nodeNames().contains(nodeId)) {
        throw new IOException(
            "certificate "
                + certificate(dir, nodeId)
                + " names node "
                + credentials.nodeNames()
                + ", this node is '"
                + nodeId
                + "'");
      }
      return ChannelSecurity.mutualTls(credentials, peer);
    }
    if (config.preSharedKeyFile() == null) {
      throw new IOException("the pair config names no logging channel credentials (run ftvm init)");
    }
    log.warn(
        "Logging channel in pre-shared-key mode: authenticated but NOT encrypted (the VM's network"
            + " input crosses the logging link in clear); ftvm init writes TLS credentials");
    return ChannelSecurity.preShared(PreSharedKey.load(config.preSharedKeyFile()));
  }

  /**
   * Creates {@code dir} (0700) and writes the CA certificate, the CA key unless {@code caKey} is
   * false, and each node's certificate and key (0600). Refuses to overwrite existing files.
   */
  public static void write(
      Path dir,
      PairCertificateAuthority ca,
      boolean caKey,
      PairCertificateAuthority.IssuedCertificate... nodes)
      throws IOException {
    PrivateFiles.createDirectory(dir);
    PrivateFiles.write(dir.resolve(CA_CERTIFICATE), ca.certificatePem());
    if (caKey) {
      PrivateFiles.write(dir.resolve(CA_KEY), ca.privateKeyPem());
    }
    for (PairCertificateAuthority.IssuedCertificate node : nodes) {
      PrivateFiles.write(certificate(dir, node.nodeId()), node.certificatePem());
      PrivateFiles.write(key(dir, node.nodeId()), node.privateKeyPem());
    }
  }

  /** Files created with their final mode (no window in which they are readable by others). */
  public static final class PrivateFiles {
    private PrivateFiles() {}

    public static void createDirectory(Path dir) throws IOException {
      if (Files.isDirectory(dir)) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return;
      }
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    public static void write(Path file, String content) throws IOException {
      try {
        Files.writeString(
            Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
            content,
            StandardCharsets.US_ASCII,
            StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException e) {
        throw new IOException(file + " already exists; not overwriting credentials", e);
      }
    }
  }
}
