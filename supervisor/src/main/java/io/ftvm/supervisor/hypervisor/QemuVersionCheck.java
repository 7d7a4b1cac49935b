package io.ftvm.supervisor.hypervisor;

import io.ftvm.supervisor.qmp.QemuVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks a QEMU binary for its version ({@code --version}) and refuses the wrong one. */
public final class QemuVersionCheck {
  private static final Pattern FIRST_LINE =
      Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)\\S*(?:\\s+\\((.*)\\))?\\s*");
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

  private final QemuRequirement requirement;

  public QemuVersionCheck(QemuRequirement requirement) {
    this.requirement = requirement;
  }

  /**
   * Runs {@code binary --version} and returns its version if it meets the requirement.
   *
   * @throws QemuVersionMismatchException naming the binary, what it is and what ftvm needs
   */
  public QemuVersion verify(Path binary) throws QemuVersionMismatchException {
    QemuVersion version = query(binary);
    if (!requirement.isSatisfiedBy(version)) {
      throw new QemuVersionMismatchException(
          "ftvm needs " + requirement.describe() + "; " + binary + " is " + version);
    }
    return version;
  }

  /** Runs {@code binary --version} and parses the answer, without judging it. */
  public QemuVersion query(Path binary) throws QemuVersionMismatchException {
    Process process;
    try {
      process =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new QemuVersionMismatchException(
          "ftvm needs " + requirement.describe() + "; cannot run " + binary + ": " + e.getMessage(),
          e);
    }
    try (InputStream output = process.getInputStream()) {
      process.getOutputStream().close();
      if (!process.waitFor(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new QemuVersionMismatchException(
            binary + " --version did not answer within " + ANSWER_TIMEOUT.toSeconds() + " s");
      }
      String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new QemuVersionMismatchException(
            binary + " --version exited with " + process.exitValue() + ": " + text.strip());
      }
      return parse(binary, text);
    } catch (IOException e) {
      throw new QemuVersionMismatchException("reading " + binary + " --version failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new QemuVersionMismatchException(
          "interrupted asking " + binary + " for its version", e);
    }
  }

  /** Parses the first line of {@code qemu-system-* --version}. */
  public static QemuVersion parse(Path binary, String versionOutput)
      throws QemuVersionMismatchException {
    String firstLine = versionOutput.lines().findFirst().orElse("").strip();
    Matcher matcher = FIRST_LINE.matcher(firstLine);
    if (!matcher.matches()) {
      throw new QemuVersionMismatchException(
          binary
              + " does not look like QEMU: --version printed '"
              + firstLine
              + "', expected 'QEMU emulator version X.Y.Z (...)'");
    }
    return new QemuVersion(
        Integer.parseInt(matcher.group(1)),
        Integer.parseInt(matcher.group(2)),
        Integer.parseInt(matcher.group(3)),
        matcher.group(4));
  }
}
