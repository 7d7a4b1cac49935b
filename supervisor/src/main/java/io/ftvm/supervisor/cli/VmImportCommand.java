package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.vm.LibvirtImporter;
import io.ftvm.supervisor.vm.LibvirtJavaDomainSource;
import io.ftvm.supervisor.vm.UnsupportedVmException;
import io.ftvm.supervisor.vm.VmDescriptionWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm vm import}: a libvirt domain as an ftvm description. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Import a libvirt domain (defined, by name from a libvirt daemon, or a domain XML file) as"
          + " an ftvm VM description: maps memory, vCPUs, boot, disks and NICs, and refuses"
          + " what ftvm cannot run, listing every item at once. Nothing is written then.",
      "Exit status: 0 imported, 1 not runnable by ftvm or libvirt failed, 2 bad usage."
    })
public final class VmImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  static final class From {
    @Option(
        names = "--domain",
        paramLabel = "<name>",
        description = "Name of a defined domain in the libvirt daemon at --connect.")
    String domain;

    @Option(names = "--xml", paramLabel = "<file>", description = "A domain XML file.")
    Path xml;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  From from;

  @Option(
      names = {"-c", "--connect"},
      paramLabel = "<uri>",
      defaultValue = "qemu:///system",
      description = "libvirt URI for --domain. Default: ${DEFAULT-VALUE}.")
  String connect;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "<file>",
      description = "Write the description here (default: print it on stdout).")
  Path out;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    LibvirtImporter importer = new LibvirtImporter(new LibvirtJavaDomainSource());
    LibvirtImporter.Imported imported;
    String what;
    try {
      if (from.domain != null) {
        what = "domain " + from.domain + " (" + connect + ")";
        imported = importer.fromDaemon(connect, from.domain);
      } else {
        what = from.xml.toString();
        imported = importer.fromFile(from.xml);
      }
    } catch (IOException e) {
      err.println("ftvm vm import: " + e.getMessage());
      err.flush();
      return ExitStatus.FAILED;
    }
    if (!imported.problems().isEmpty() || imported.description().isEmpty()) {
      err.println(UnsupportedVmException.message(what, imported.problems()));
      err.flush();
      return ExitStatus.FAILED;
    }
    String text = new VmDescriptionWriter().toText(imported.description().get());
    try {
      if (out != null) {
        Files.writeString(out, text);
        err.println("ftvm vm import: wrote " + out + " (check it with: ftvm vm check " + out + ")");
        err.flush();
      } else {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(text);
        stdout.flush();
      }
    } catch (IOException e) {
      err.println("ftvm vm import: cannot write " + out + ": " + e.getMessage());
      err.flush();
      return ExitStatus.FAILED;
    }
    return ExitStatus.OK;
  }
}
