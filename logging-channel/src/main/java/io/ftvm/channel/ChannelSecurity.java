package io.ftvm.channel;

/**
 * How the logging channel protects a session. {@link MutualTls} (the default of {@code ftvm init}
 * and {@code ftvm start --pair}) encrypts everything and authenticates both ends by certificates of
 * the pair's own CA; {@link PreShared} authenticates both ends and every frame with a shared key
 * but does not encrypt (the VM's network input travels in clear).
 */
public sealed interface ChannelSecurity {

  /** Challenge-response on a pre-shared key plus a MAC on every frame; no encryption. */
  record PreShared(PreSharedKey key) implements ChannelSecurity {
    public PreShared {
      if (key == null) {
        throw new IllegalArgumentException("pre-shared key must not be null");
      }
    }
  }

  /**
   * TLS 1.3 with certificates on both ends. The peer's certificate must be issued by the pair's CA
   * and name {@code expectedPeerNodeId}: another node's certificate from the same CA is refused.
   */
  record MutualTls(TlsCredentials credentials, String expectedPeerNodeId)
      implements ChannelSecurity {
    public MutualTls {
      if (credentials == null) {
        throw new IllegalArgumentException("TLS credentials must not be null");
      }
      if (expectedPeerNodeId == null || expectedPeerNodeId.isEmpty()) {
        throw new IllegalArgumentException("the expected peer node id must not be empty");
      }
      if (credentials.nodeNames().contains(expectedPeerNodeId)) {
        throw new IllegalArgumentException(
            "the expected peer node id '"
                + expectedPeerNodeId
                + "' is a name in this node's own certificate");
      }
    }
  }

  public static ChannelSecurity preShared(PreSharedKey key) {
    return new PreShared(key);
  }

  public static ChannelSecurity mutualTls(TlsCredentials credentials, String expectedPeerNodeId) {
    return new MutualTls(credentials, expectedPeerNodeId);
  }

  /** For logs and status: "tls" or "psk". */
  default String mode() {
    return this instanceof MutualTls ? "tls" : "psk";
  }
}
