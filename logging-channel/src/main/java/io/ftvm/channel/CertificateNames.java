package io.ftvm.channel;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The node names a certificate carries: its subject CN and its DNS subject alternative names. */
final class CertificateNames {
  private static final int SAN_DNS = 2;

  private CertificateNames() {}

  static String commonName(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : name.getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return rdn.getValue().toString();
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  /** CN first, then every DNS SAN; empty if the certificate names nothing. */
  static List<String> nodeNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    String cn = commonName(certificate);
    if (cn != null) {
      names.add(cn);
    }
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> entry : alternatives) {
          if (entry.size() == 2
              && entry.get(0) instanceof Integer type
              && type == SAN_DNS
              && !names.contains(entry.get(1).toString())) {
            names.add(entry.get(1).toString());
          }
        }
      }
    } catch (CertificateParsingException e) {
      // A certificate whose SAN extension cannot be parsed names only its CN.
    }
    return names;
  }
}
