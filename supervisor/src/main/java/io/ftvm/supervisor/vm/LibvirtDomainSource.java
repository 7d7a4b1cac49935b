package io.ftvm.supervisor.vm;

import java.io.IOException;

/** Where a domain XML comes from: a libvirt daemon (by name) in production, a fake in tests. */
public interface LibvirtDomainSource {
  /** The defined domain's XML as libvirt reports it (inactive definition). */
  String domainXml(String connectUri, String domainName) throws IOException;
}
