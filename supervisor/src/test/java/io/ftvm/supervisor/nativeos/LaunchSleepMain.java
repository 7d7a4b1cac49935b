package io.ftvm.supervisor.nativeos;

/**
 * Child-JVM body for {@link ChildProcessLauncherIT}: starts {@code sleep 1000} through the
 * launcher, prints its pid, then waits to be killed.
 */
public final class LaunchSleepMain {
  private LaunchSleepMain() {}

  public static void main(String[] args) throws Exception {
    ChildProcessLauncher launcher = new ChildProcessLauncher();
    Process sleep = launcher.start(new ProcessBuilder("sleep", "1000"));
    System.out.println(sleep.pid());
    System.out.flush();
    Thread.currentThread().join(); // until SIGKILL
  }
}
