package io.ftvm.supervisor.follow;

import io.ftvm.supervisor.topology.CommandResult;
import java.time.Duration;

/** Talks to the test VM's TCP services from inside a {@link GuestLan}, with bash's /dev/tcp. */
final class GuestClient {
  static final int ECHO_PORT = 7001;
  static final int KV_PORT = 7002;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final GuestLan lan;

  GuestClient(GuestLan lan) {
    this.lan = lan;
  }

  /** Sends one kv command line and returns the reply line. */
  String kv(String command) {
    return exchange(KV_PORT, command);
  }

  /** Sends one line to the echo service and returns what came back. */
  String echo(String line) {
    return exchange(ECHO_PORT, line);
  }

  private String exchange(int port, String line) {
    // The reply must arrive within 10 s; connection refused or silence fail with bash's message.
    CommandResult result =
        lan.exec(
            "exec 3<>/dev/tcp/"
                + GuestLan.GUEST_IP
                + "/"
                + port
                + " && printf '%s\\n' \"$1\" >&3 && IFS= read -r -t 10 reply <&3"
                + " && printf '%s' \"$reply\"",
            TIMEOUT,
            line);
    if (!result.succeeded()) {
      throw new AssertionError(
          "client in "
              + lan.namespace()
              + " got no reply from port "
              + port
              + " to '"
              + line
              + "' (exit "
              + result.exitCode()
              + "): "
              + result.stderr().strip());
    }
    return result.stdout();
  }
}
