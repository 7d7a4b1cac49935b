package io.ftvm.channel;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts exactly one peer: a certificate issued by the pair's CA that names the configured peer
 * node. Each refusal says which of those failed (no certificate, foreign CA, expired, another
 * node), since "certificate_unknown" alone sends an admin hunting. PKIX path validation then runs
 * on top (basic constraints, key usage, critical extensions) with the CA as the only anchor.
 * Revocation is not checked: a compromised node key means re-running {@code ftvm init}, which
 * replaces the CA.
 */
final class PeerCertificateVerifier extends X509ExtendedTrustManager {
  private final X509Certificate caCertificate;
  private final String expectedPeerNodeId;
  private final Supplier<Instant> clock;

  PeerCertificateVerifier(
      X509Certificate caCertificate, String expectedPeerNodeId, Supplier<Instant> clock) {
    this.caCertificate = caCertificate;
    this.expectedPeerNodeId = expectedPeerNodeId;
    this.clock = clock;
  }

  void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException(
          "peer presented no certificate; expected one for node '"
              + expectedPeerNodeId
              + "' issued by the pair's CA");
    }
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    try {
      leaf.verify(caCertificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "peer certificate '"
              + subject
              + "' (issuer '"
              + leaf.getIssuerX500Principal().getName()
              + "') is not signed by this pair's CA '"
              + caCertificate.getSubjectX500Principal().getName()
              + "'");
    }
    Date now = Date.from(clock.get());
    try {
      leaf.checkValidity(now);
    } catch (CertificateExpiredException e) {
      throw new CertificateException(
          "peer certificate '" + subject + "' expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new CertificateException(
          "peer certificate '"
              + subject
              + "' is not valid before "
              + leaf.getNotBefore().toInstant()
              + " (clock skew?)");
    }
    List<String> names = CertificateNames.nodeNames(leaf);
    if (!names.contains(expectedPeerNodeId)) {
      throw new CertificateException(
          "peer certificate names node "
              + names
              + " but the configured peer is '"
              + expectedPeerNodeId
              + "' (a certificate of another node of this pair's CA)");
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(caCertificate, null)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(now);
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "peer certificate '" + subject + "' failed PKIX validation: " + e.getMessage(), e);
    }
  }

  /** The node the peer's (already verified) certificate names: the configured peer. */
  String expectedPeerNodeId() {
    return expectedPeerNodeId;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {caCertificate};
  }
}
