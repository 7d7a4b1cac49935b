package io.ftvm.supervisor.vm;

import java.io.IOException;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** Reads a domain's XML from a libvirt daemon through libvirt-java (read-only connection). */
public final class LibvirtJavaDomainSource implements LibvirtDomainSource {
  /** {@code VIR_DOMAIN_XML_INACTIVE}: the definition, not a running instance's live state. */
  private static final int XML_INACTIVE = 2;

  @Override
  public String domainXml(String connectUri, String domainName) throws IOException {
    Connect connection;
    try {
      connection = new Connect(connectUri, true);
    } catch (LibvirtException | UnsatisfiedLinkError e) {
      throw new IOException(
          "cannot connect to libvirt at " + connectUri + ": " + e.getMessage(), e);
    }
    try {
      Domain domain = connection.domainLookupByName(domainName);
      return domain.getXMLDesc(XML_INACTIVE);
    } catch (LibvirtException e) {
      throw new IOException(
          "libvirt at " + connectUri + " has no domain \"" + domainName + "\": " + e.getMessage(),
          e);
    } finally {
      try {
        connection.close();
      } catch (LibvirtException e) {
        // the XML is read; a failing close changes nothing for the import
      }
    }
  }
}
