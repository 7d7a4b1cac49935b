package io.ftvm.channel;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The small CA of one pair: it signs exactly the two node certificates of the logging channel, so
 * trusting it trusts nothing else. Keys are ECDSA P-256 (fast TLS 1.3 handshakes, JDK-native); the
 * JDK signs, Bouncy Castle only builds the X.509 structures and writes PEM.
 */
public final class PairCertificateAuthority {
  /** Default lifetime of the CA and of node certificates that {@code ftvm init} writes. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(10 * 365);

  private static final Duration CLOCK_SKEW = Duration.ofHours(1);

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final SecureRandom random;

  private PairCertificateAuthority(
      X509Certificate certificate, PrivateKey key, SecureRandom random) {
    this.certificate = certificate;
    this.key = key;
    this.random = random;
  }

  /**
   * A new CA named {@code ftvm pair <pairName> CA}, valid from an hour ago for {@code validity}.
   */
  public static PairCertificateAuthority create(String pairName, Duration validity) {
    SecureRandom random = new SecureRandom();
    KeyPair pair = newKeyPair(random);
    Instant now = Instant.now();
    X500Name name = name("ftvm pair " + pairName + " CA");
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(random),
              Date.from(now.minus(CLOCK_SKEW)),
              Date.from(now.plus(validity)),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              utils.createSubjectKeyIdentifier(pair.getPublic()));
      return new PairCertificateAuthority(
          sign(builder, pair.getPrivate()), pair.getPrivate(), random);
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the pair CA certificate", e);
    }
  }

  /** An existing CA (to issue a replacement node certificate). */
  public static PairCertificateAuthority load(Path certificateFile, Path keyFile)
      throws IOException {
    X509Certificate certificate = TlsCredentials.readCertificate(certificateFile, "CA certificate");
    PrivateKey key = TlsCredentials.readPrivateKey(keyFile);
    return new PairCertificateAuthority(certificate, key, new SecureRandom());
  }

  /** A node certificate valid from an hour ago for {@code validity}. */
  public IssuedCertificate issue(String nodeId, Duration validity) {
    Instant now = Instant.now();
    return issue(nodeId, now.minus(CLOCK_SKEW), now.plus(validity));
  }

  /**
   * A certificate for {@code nodeId} (CN and DNS SAN), for TLS client and server use, valid in
   * [notBefore, notAfter]. Tests use explicit dates to make expired certificates.
   */
  public IssuedCertificate issue(String nodeId, Instant notBefore, Instant notAfter) {
    KeyPair pair = newKeyPair(random);
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(random),
              Date.from(notBefore),
              Date.from(notAfter),
              name(nodeId),
              pair.getPublic());
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(
                  new KeyPurposeId[] {
                    KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                  }))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(new GeneralName(GeneralName.dNSName, nodeId)))
          .addExtension(
              Extension.authorityKeyIdentifier,
              false,
              utils.createAuthorityKeyIdentifier(certificate))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              utils.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate issued = sign(builder, key);
      return new IssuedCertificate(nodeId, issued, pair.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate for node " + nodeId, e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA certificate as PEM (goes to both hosts). */
  public String certificatePem() {
    return pem(certificate);
  }

  /** The CA's private key as PKCS#8 PEM (stays with the admin, never on the hosts). */
  public String privateKeyPem() {
    return pem(key);
  }

  /** Credentials of a node whose certificate this CA issued. */
  public TlsCredentials credentials(IssuedCertificate issued) {
    return TlsCredentials.of(certificate, issued.certificate(), issued.privateKey());
  }

  /** A node certificate and its private key. */
  public record IssuedCertificate(
      String nodeId, X509Certificate certificate, PrivateKey privateKey) {
    public String certificatePem() {
      return pem(certificate);
    }

    public String privateKeyPem() {
      return pem(privateKey);
    }

    @Override
    public String toString() {
      return "IssuedCertificate[" + nodeId + "]";
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  private static KeyPair newKeyPair(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 keys unavailable in this JVM", e);
    }
  }

  /** Own CAs are EC P-256; an admin's CA ({@link #load}) may have an RSA key. */
  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    String signature =
        switch (signer.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default ->
              throw new GeneralSecurityException(
                  "cannot sign with a " + signer.getAlgorithm() + " key (EC or RSA only)");
        };
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + signature, e);
    }
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null).generate() : object);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write PEM", e);
    }
    return out.toString();
  }
}
