package io.ftvm.channel;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * One node's TLS identity: the pair's CA certificate (the only trust anchor), this node's
 * certificate (issued by that CA, naming the node) and its private key. {@link #load} reads the PEM
 * files {@code ftvm init} writes.
 */
public final class TlsCredentials {
  private final X509Certificate caCertificate;
  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final String nodeId;

  private TlsCredentials(
      X509Certificate caCertificate, X509Certificate certificate, PrivateKey privateKey) {
    this.caCertificate = caCertificate;
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.nodeId = CertificateNames.commonName(certificate);
  }

  /**
   * Checks that the certificate is issued by the CA, names a node and belongs to the key. Validity
   * dates are not checked here (the peer does, and {@link #load} refuses an expired own one).
   */
  public static TlsCredentials of(
      X509Certificate caCertificate, X509Certificate certificate, PrivateKey privateKey) {
    try {
      certificate.verify(caCertificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "certificate '"
              + certificate.getSubjectX500Principal().getName()
              + "' is not issued by CA '"
              + caCertificate.getSubjectX500Principal().getName()
              + "' ("
              + e.getMessage()
              + ")");
    }
    if (CertificateNames.commonName(certificate) == null) {
      throw new IllegalArgumentException(
          "certificate '"
              + certificate.getSubjectX500Principal().getName()
              + "' has no CN: it must name the node (CN=<node id>)");
    }
    if (!keyMatches(certificate, privateKey)) {
      throw new IllegalArgumentException(
          "the private key does not belong to certificate '"
              + certificate.getSubjectX500Principal().getName()
              + "'");
    }
    return new TlsCredentials(caCertificate, certificate, privateKey);
  }

  /** Reads PEM files: the CA certificate, this node's certificate and its PKCS#8 or EC key. */
  public static TlsCredentials load(Path caCertificateFile, Path certificateFile, Path keyFile)
      throws IOException {
    X509Certificate ca = readCertificate(caCertificateFile, "CA certificate");
    X509Certificate own = readCertificate(certificateFile, "node certificate");
    PrivateKey key = readPrivateKey(keyFile);
    TlsCredentials credentials;
    try {
      credentials = of(ca, own, key);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "TLS credentials " + certificateFile + " / " + keyFile + ": " + e.getMessage());
    }
    Date now = Date.from(Instant.now());
    for (X509Certificate certificate : new X509Certificate[] {ca, own}) {
      if (now.after(certificate.getNotAfter())) {
        throw new IOException(
            "certificate '"
                + certificate.getSubjectX500Principal().getName()
                + "' ("
                + (certificate == ca ? caCertificateFile : certificateFile)
                + ") expired on "
                + certificate.getNotAfter().toInstant()
                + ": issue new ones (ftvm init)");
      }
    }
    return credentials;
  }

  static X509Certificate readCertificate(Path file, String what) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(what + " " + file + " does not exist or is not a file");
    }
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (CertificateException e) {
      throw new IOException(
          what + " " + file + " is not a PEM X.509 certificate: " + e.getMessage());
    }
  }

  static PrivateKey readPrivateKey(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("private key " + file + " does not exist or is not a file");
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object pem = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (pem instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (pem instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IOException(
          "private key "
              + file
              + " holds "
              + (pem == null ? "no PEM object" : pem.getClass().getSimpleName())
              + ", expected an unencrypted PEM private key");
    }
  }

  static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
    String algorithm =
        certificate.getPublicKey().getAlgorithm().equals("EC")
            ? "SHA256withECDSA"
            : "SHA256withRSA";
    try {
      byte[] probe = "ftvm key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public X509Certificate caCertificate() {
    return caCertificate;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  /** The node this certificate names (its CN). */
  public String nodeId() {
    return nodeId;
  }

  /** Every node name the certificate carries: its CN, then its DNS subject alternative names. */
  public List<String> nodeNames() {
    return CertificateNames.nodeNames(certificate);
  }

  @Override
  public String toString() {
    return "TlsCredentials[node "
        + nodeId
        + ", CA "
        + caCertificate.getSubjectX500Principal()
        + "]";
  }
}
