package io.ftvm.supervisor.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns {@code --vm} into a {@link VmDefinition}: a directory or vm.json as given, or the word
 * {@value #BUILT_IN} for the test VM: {@code -Dftvm.testvm} / {@code $FTVM_TESTVM} if set, else the
 * newest {@code testvm-*} build in the ftvm cache ({@code $FTVM_CACHE_DIR}, default {@code
 * ~/.cache/ftvm}).
 */
public final class VmLocator {
  public static final String BUILT_IN = "test-vm";

  private final Map<String, String> environment;
  private final Path home;

  public VmLocator(Map<String, String> environment, Path home) {
    this.environment = Map.copyOf(environment);
    this.home = home;
  }

  /** The process environment, with {@code -Dftvm.testvm} taking precedence over $FTVM_TESTVM. */
  public static VmLocator fromSystem() {
    Map<String, String> environment = new HashMap<>(System.getenv());
    String property = System.getProperty("ftvm.testvm");
    if (property != null && !property.isBlank()) {
      environment.put("FTVM_TESTVM", property);
    }
    return new VmLocator(environment, Path.of(System.getProperty("user.home")));
  }

  public VmDefinition locate(String vm) throws BadInputException {
    if (!BUILT_IN.equals(vm)) {
      return VmDefinition.load(Path.of(vm));
    }
    String configured = environment.get("FTVM_TESTVM");
    if (configured != null && !configured.isBlank()) {
      return VmDefinition.load(Path.of(configured));
    }
    Path cache = Path.of(environment.getOrDefault("FTVM_CACHE_DIR", home + "/.cache/ftvm"));
    return VmDefinition.load(
        newestBuild(cache)
            .orElseThrow(
                () ->
                    new BadInputException(
                        "no built test VM in "
                            + cache
                            + " (run test-vms/build.sh, or pass --vm <dir|vm.json>)")));
  }

  private static Optional<Path> newestBuild(Path cache) throws BadInputException {
    if (!Files.isDirectory(cache)) {
      return Optional.empty();
    }
    try (Stream<Path> entries = Files.list(cache)) {
      return entries
          .filter(dir -> dir.getFileName().toString().startsWith("testvm-"))
          .filter(dir -> Files.isRegularFile(dir.resolve(VmDefinition.DESCRIPTOR_NAME)))
          .max(Comparator.comparing(VmLocator::modified));
    } catch (IOException e) {
      throw new BadInputException("cannot list " + cache + ": " + e.getMessage(), e);
    }
  }

  private static FileTime modified(Path dir) {
    try {
      return Files.getLastModifiedTime(dir.resolve(VmDefinition.DESCRIPTOR_NAME));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
