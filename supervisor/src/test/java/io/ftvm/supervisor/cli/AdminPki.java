package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An admin's own PKI as tests need it: an RSA CA (as corporate CAs often are, unlike the EC P-256
 * CA ftvm makes) and certificates with exactly the properties a test wants to get wrong.
 */
final class AdminPki {
  private final SecureRandom random = new SecureRandom();
  private final Path dir;

  AdminPki(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /** What a certificate should be; every field a test may spoil. */
  record Spec(
      String commonName,
      List<String> dnsNames,
      boolean ca,
      boolean serverAndClientAuth,
      Instant notBefore,
      Instant notAfter) {
    static Spec node(String name) {
      Instant now = Instant.now();
      return new Spec(
          name,
          List.of(),
          false,
          true,
          now.minus(Duration.ofHours(1)),
          now.plus(Duration.ofDays(365)));
    }

    static Spec authority(String name) {
      return new Spec(
          name,
          List.of(),
          true,
          false,
          Instant.now().minus(Duration.ofDays(1)),
          Instant.now().plus(Duration.ofDays(3650)));
    }

    Spec withDnsNames(String... names) {
      return new Spec(commonName, List.of(names), ca, serverAndClientAuth, notBefore, notAfter);
    }

    Spec serverOnly() {
      return new Spec(commonName, dnsNames, ca, false, notBefore, notAfter);
    }

    Spec expiredOn(Instant end) {
      return new Spec(
          commonName, dnsNames, ca, serverAndClientAuth, end.minus(Duration.ofDays(30)), end);
    }
  }

  /** A certificate and key, written as {@code <name>.crt} / {@code <name>.key}. */
  record Issued(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile) {}

  Issued selfSignedCa(String fileName, Spec spec) throws Exception {
    KeyPair pair = rsa();
    return write(
        fileName, build(spec, pair, spec.commonName(), pair.getPrivate()), pair.getPrivate());
  }

  Issued issue(String fileName, Issued issuer, Spec spec) throws Exception {
    KeyPair pair = rsa();
    String issuerName = issuer.certificate().getSubjectX500Principal().getName();
    return write(fileName, build(spec, pair, issuerName, issuer.key()), pair.getPrivate());
  }

  private X509Certificate build(Spec spec, KeyPair pair, String issuerName, PrivateKey signer)
      throws Exception {
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuerName.contains("=") ? issuerName : "CN=" + issuerName),
            new BigInteger(64, random).add(BigInteger.ONE),
            Date.from(spec.notBefore()),
            Date.from(spec.notAfter()),
            new X500Name("CN=" + spec.commonName()),
            pair.getPublic());
    if (spec.ca()) {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      List<KeyPurposeId> purposes = new ArrayList<>(List.of(KeyPurposeId.id_kp_serverAuth));
      if (spec.serverAndClientAuth()) {
        purposes.add(KeyPurposeId.id_kp_clientAuth);
      }
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
    }
    if (!spec.dnsNames().isEmpty()) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              spec.dnsNames().stream()
                  .map(n -> new GeneralName(GeneralName.dNSName, n))
                  .toArray(GeneralName[]::new)));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
  }

  private Issued write(String fileName, X509Certificate certificate, PrivateKey key)
      throws IOException {
    Path certificateFile = dir.resolve(fileName + ".crt");
    Path keyFile = dir.resolve(fileName + ".key");
    Files.writeString(certificateFile, pem(certificate));
    Files.writeString(keyFile, pem(key));
    return new Issued(certificate, key, certificateFile, keyFile);
  }

  private KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, random);
    return generator.generateKeyPair();
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null).generate() : object);
    }
    return out.toString();
  }
}
