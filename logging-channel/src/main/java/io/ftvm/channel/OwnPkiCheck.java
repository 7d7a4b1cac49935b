package io.ftvm.channel;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks an admin's own PKI before {@code ftvm init} builds a pair on it, so that a certificate the
 * channel would refuse at 3 a.m. (wrong issuer, wrong name, expired, unusable for TLS client or
 * server) is refused now, with the reason. The channel trusts exactly one CA, the one that issued
 * both node certificates directly (an intermediate of a larger PKI is fine as that CA): pinning the
 * issuer keeps every other certificate of the organisation out.
 *
 * <p>Every finding goes into one of two lists, so {@code ftvm init} can report them all at once:
 * problems (nothing is written) and warnings (written, but the admin should act).
 */
public final class OwnPkiCheck {
  /** Certificates that expire sooner than this are written, with a warning. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private static final int KEY_USAGE_DIGITAL_SIGNATURE = 0;
  private static final int KEY_USAGE_KEY_CERT_SIGN = 5;
  private static final String EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final Instant now;
  private final List<String> problems;
  private final List<String> warnings;

  /**
   * @param now the time validity is judged at
   * @param problems receives what makes the PKI unusable
   * @param warnings receives what works now but needs the admin's attention soon
   */
  public OwnPkiCheck(Instant now, List<String> problems, List<String> warnings) {
    this.now = now;
    this.problems = problems;
    this.warnings = warnings;
  }

  /**
   * The CA certificate (a CA, allowed to sign certificates, valid now) and, if given, its key (the
   * key of that very certificate). Returns the certificate, or null when it cannot be read.
   */
  public X509Certificate checkCa(Path caCertificateFile, Path caKeyFile) {
    X509Certificate ca = read(caCertificateFile, "--ca-cert");
    if (ca == null) {
      return null;
    }
    String name = "CA certificate " + caCertificateFile;
    if (ca.getBasicConstraints() < 0) {
      problems.add(name + " is not a CA certificate (basicConstraints CA:TRUE missing)");
    }
    boolean[] usage = ca.getKeyUsage();
    if (usage != null && !usage[KEY_USAGE_KEY_CERT_SIGN]) {
      problems.add(name + " may not sign certificates (keyUsage lacks keyCertSign)");
    }
    checkValidity(ca, name);
    if (caKeyFile != null) {
      PrivateKey key = readKey(caKeyFile, "--ca-key");
      if (key != null && !TlsCredentials.keyMatches(ca, key)) {
        problems.add(
            "--ca-key "
                + caKeyFile
                + " is not the private key of CA certificate "
                + caCertificateFile);
      }
    }
    return ca;
  }

  /**
   * One node's own certificate and key: issued directly by {@code ca} (signature and PKIX path with
   * the CA as the only anchor), naming {@code nodeId} (CN or DNS SAN) and none of {@code
   * otherNodeIds} (or that host could act as the other), usable as TLS server and client, valid
   * now, and the key belonging to it.
   */
  public void checkNode(
      X509Certificate ca,
      String nodeId,
      Path certificateFile,
      Path keyFile,
      Collection<String> otherNodeIds) {
    X509Certificate certificate = read(certificateFile, "--node-cert " + nodeId);
    PrivateKey key = readKey(keyFile, "--node-key " + nodeId);
    if (certificate == null) {
      return;
    }
    String name = "node " + nodeId + " certificate " + certificateFile;
    if (key != null && !TlsCredentials.keyMatches(certificate, key)) {
      problems.add("--node-key " + keyFile + " is not the private key of " + name);
    }
    checkValidity(certificate, name);
    List<String> names = CertificateNames.nodeNames(certificate);
    if (CertificateNames.commonName(certificate) == null) {
      problems.add(name + " has no CN (the channel identifies a node by its certificate's CN)");
    }
    if (!names.contains(nodeId)) {
      problems.add(
          name
              + " names "
              + names
              + ", not '"
              + nodeId
              + "': the node id must be its CN or a DNS subject alternative name (name the node"
              + " after its certificate, e.g. --node "
              + (names.isEmpty() ? "<cn>" : names.get(0))
              + "=<address>)");
    }
    for (String other : otherNodeIds) {
      if (names.contains(other)) {
        problems.add(
            name + " also names node '" + other + "': that host could pose as the other node");
      }
    }
    checkTlsUsage(certificate, name);
    if (ca != null) {
      checkIssuedBy(ca, certificate, name);
    }
  }

  private void checkIssuedBy(X509Certificate ca, X509Certificate certificate, String name) {
    try {
      certificate.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      problems.add(
          name
              + " (issuer '"
              + certificate.getIssuerX500Principal().getName()
              + "') is not signed by CA '"
              + ca.getSubjectX500Principal().getName()
              + "': give the CA that issued it directly as --ca-cert (an intermediate is fine)");
      return;
    }
    try {
      PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)),
              parameters);
    } catch (GeneralSecurityException e) {
      problems.add(name + " fails PKIX validation against the CA: " + e.getMessage());
    }
  }

  private void checkTlsUsage(X509Certificate certificate, String name) {
    boolean[] usage = certificate.getKeyUsage();
    if (usage != null && !usage[KEY_USAGE_DIGITAL_SIGNATURE]) {
      problems.add(name + " may not sign (keyUsage lacks digitalSignature, which TLS 1.3 needs)");
    }
    if (certificate.getBasicConstraints() >= 0) {
      warnings.add(name + " is a CA certificate; a node certificate should not be one");
    }
    try {
      List<String> purposes = certificate.getExtendedKeyUsage();
      if (purposes != null
          && !(purposes.contains(EKU_SERVER_AUTH) && purposes.contains(EKU_CLIENT_AUTH))) {
        problems.add(
            name
                + " is not for both TLS server and client use (extendedKeyUsage needs serverAuth"
                + " and clientAuth: a node listens as backup and connects as primary)");
      }
    } catch (CertificateParsingException e) {
      problems.add(name + " has an unreadable extendedKeyUsage: " + e.getMessage());
    }
  }

  private void checkValidity(X509Certificate certificate, String name) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      problems.add(name + " expired on " + notAfter);
    } else if (now.isBefore(notBefore)) {
      problems.add(name + " is not valid before " + notBefore + " (clock skew?)");
    } else if (now.plus(EXPIRY_WARNING).isAfter(notAfter)) {
      warnings.add(
          name
              + " expires on "
              + notAfter
              + ", in "
              + Duration.between(now, notAfter).toDays()
              + " days: the channel refuses it from then on");
    }
  }

  private X509Certificate read(Path file, String option) {
    try {
      return TlsCredentials.readCertificate(file, option);
    } catch (IOException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private PrivateKey readKey(Path file, String option) {
    try {
      return TlsCredentials.readPrivateKey(file);
    } catch (IOException e) {
      problems.add(option + ": " + e.getMessage());
      return null;
    }
  }
}
