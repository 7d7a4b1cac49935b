package io.ftvm.supervisor.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code ftvm vm import}: a libvirt domain (by name, or its XML file) as a checked description. */
public final class LibvirtImporter {
  private final LibvirtDomainSource daemon;
  private final LibvirtDomainMapping mapping = new LibvirtDomainMapping();
  private final VmDescriptionValidator validator = new VmDescriptionValidator();

  public LibvirtImporter(LibvirtDomainSource daemon) {
    this.daemon = daemon;
  }

  /** What the import produced; the description is usable only when {@code problems} is empty. */
  public record Imported(Optional<VmDescription> description, List<String> problems) {
    public Imported {
      problems = List.copyOf(problems);
    }
  }

  public Imported fromDaemon(String connectUri, String domainName) throws IOException {
    String xml = daemon.domainXml(connectUri, domainName);
    return fromXml(xml, Path.of(connectUri.replace(":", "_").replace("/", "_") + "-" + domainName));
  }

  public Imported fromFile(Path xmlFile) throws IOException {
    return fromXml(Files.readString(xmlFile), xmlFile.toAbsolutePath());
  }

  Imported fromXml(String xml, Path source) {
    LibvirtDomainMapping.Result mapped = mapping.map(xml, source);
    List<String> problems = new ArrayList<>(mapped.problems());
    mapped.description().ifPresent(vm -> problems.addAll(validator.problems(vm)));
    return new Imported(mapped.description(), problems);
  }
}
