package io.ftvm.supervisor.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and checks a description in one step: the entry point for commands. */
public final class VmDescriptions {
  private final VmDescriptionParser parser = new VmDescriptionParser();
  private final VmDescriptionValidator validator = new VmDescriptionValidator();

  /** Parse and validation problems together, in that order. */
  public record Checked(VmDescription description, List<String> problems) {
    public Checked {
      problems = List.copyOf(problems);
    }
  }

  /** Everything wrong with the description; {@code description} is null if it is unreadable. */
  public Checked check(Path dirOrFile) {
    VmDescriptionParser.Parsed parsed = parser.parse(dirOrFile);
    List<String> problems = new ArrayList<>(parsed.problems());
    VmDescription description = parsed.description().orElse(null);
    if (description != null) {
      problems.addAll(validator.problems(description));
    }
    return new Checked(description, problems);
  }

  /** The description, or every reason ftvm cannot run it. */
  public VmDescription load(Path dirOrFile) throws UnsupportedVmException {
    Checked checked = check(dirOrFile);
    if (!checked.problems().isEmpty()) {
      throw new UnsupportedVmException(dirOrFile.toString(), checked.problems());
    }
    return checked.description();
  }
}
