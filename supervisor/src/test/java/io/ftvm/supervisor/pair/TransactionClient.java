package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Runs on the client host (its own JVM in the client's namespace): commits numbered transactions to
 * the guest's PostgreSQL over ONE connection and writes down each one the server acknowledged, so a
 * test can prove that none was lost across a failover and that the connection is the same (same
 * server backend, never reconnected: the driver does not reconnect on its own, and this client
 * never does).
 *
 * <p>Args: host, transcript file, stop file (the client stops once it exists), time limit in ms.
 * Transcript lines: "{@code START pid=<backend pid>}", then "{@code ACK <n> <epoch millis>}" per
 * committed row, then "{@code END pid=<backend pid> rows=<count(*)> max=<max(n)>}" read over the
 * same connection after the last commit, or "{@code ERROR <what>}".
 */
public final class TransactionClient {
  private TransactionClient() {}

  public static void main(String[] args) throws IOException {
    String host = args[0];
    Path out = Path.of(args[1]);
    Path stop = Path.of(args[2]);
    long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("sslmode", "disable");
    props.setProperty("connectTimeout", "10");
    // A failover pauses the server for a second or two; the client waits rather than give up.
    props.setProperty("socketTimeout", "120");
    props.setProperty("tcpKeepAlive", "true");
    try (PrintWriter transcript =
            new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), true);
        Connection db =
            DriverManager.getConnection("jdbc:postgresql://" + host + ":5432/postgres", props)) {
      try {
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS ftvm_tx (n bigint PRIMARY KEY, at timestamptz)");
          s.execute("TRUNCATE ftvm_tx");
        }
        transcript.println("START pid=" + backendPid(db));
        long n = 0;
        try (PreparedStatement insert =
            db.prepareStatement("INSERT INTO ftvm_tx VALUES (?, now())")) {
          while (!Files.exists(stop) && System.currentTimeMillis() < deadline) {
            n++;
            insert.setLong(1, n);
            insert.executeUpdate(); // autocommit: returns once COMMIT was acknowledged
            transcript.println("ACK " + n + " " + System.currentTimeMillis());
          }
        }
        try (Statement s = db.createStatement();
            ResultSet rows = s.executeQuery("SELECT count(*), coalesce(max(n), 0) FROM ftvm_tx")) {
          rows.next();
          transcript.println(
              "END pid=" + backendPid(db) + " rows=" + rows.getLong(1) + " max=" + rows.getLong(2));
        }
      } catch (SQLException e) {
        transcript.println("ERROR " + e.getMessage().replace('\n', ' '));
      }
    } catch (SQLException e) {
      Files.writeString(out, "ERROR connect: " + e.getMessage() + "\n", StandardCharsets.UTF_8);
    }
  }

  private static long backendPid(Connection db) throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet pid = s.executeQuery("SELECT pg_backend_pid()")) {
      pid.next();
      return pid.getLong(1);
    }
  }
}
