package dev.postbus.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Postfix (Debian package {@code postfix}) of the test's own: its own main.cf, master.cf,
 * queue and log under a temporary folder, smtpd on a free loopback port with STARTTLS (a
 * certificate for localhost made by openssl), a second port that requires STARTTLS and AUTH (Cyrus
 * sasldb, package {@code sasl2-bin}), every recipient at example.net delivered into one Maildir (a
 * file per message), and {@code unknown@example.net} refused with 550 5.1.1. Started with {@code
 * postfix -c DIR start}, stopped with {@code stop}. Needs root (Postfix's master drops to the
 * postfix user).
 */
public final class PostfixRelay implements AutoCloseable {

  public static final String USER = "relayuser@example.net";
  public static final String PASSWORD = "s3cret-pass";

  public final Path dir;
  public final int port;
  public final int authPort;

  /** PKCS12, password "changeit": the certificate of localhost that smtpd presents. */
  public final Path trustStore;

  private PostfixRelay(Path dir, int port, int authPort, Path trustStore) {
    this.dir = dir;
    this.port = port;
    this.authPort = authPort;
    this.trustStore = trustStore;
  }

  /** Why Postfix cannot run here, or null when it can. */
  public static String missing() {
    if (!Files.isExecutable(Path.of("/usr/sbin/postfix"))
        || !Files.isExecutable(Path.of("/usr/sbin/saslpasswd2"))) {
      return "Postfix or sasl2-bin is not installed (apt-get install postfix sasl2-bin; .ci/run does it as root)";
    }
    try {
      if (!run(List.of("id", "-u")).strip().equals("0")) {
        return "Postfix's master must be started as root";
      }
      run(List.of("id", "-u", "postfix"));
    } catch (IOException e) {
      return "cannot check the user: " + e.getMessage();
    }
    return null;
  }

  /**
   * @param mainCf extra main.cf lines (e.g. "smtpd_discard_ehlo_keywords = chunking")
   */
  public static PostfixRelay start(Path dir, List<String> mainCf) throws IOException {
    return start(dir, mainCf, List.of());
  }

  /**
   * @param mainCf extra main.cf lines
   * @param extraMasterCf extra master.cf lines (e.g. "smtp unix - - n - - smtp" for a Postfix that
   *     sends on, as one returning its bounces to another server does)
   */
  public static PostfixRelay start(Path dir, List<String> mainCf, List<String> extraMasterCf)
      throws IOException {
    // JUnit's temporary folders are private to root; Postfix's processes run as the postfix user.
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Path data = Files.createDirectories(dir.resolve("data"));
    Path mail = Files.createDirectories(dir.resolve("mail"));
    // Debian's Postfix reads <config_directory>/sasl/smtpd.conf (strace shows it), whatever
    // cyrus_sasl_config_path says.
    Path sasl = Files.createDirectories(etc.resolve("sasl"));
    Files.createDirectories(dir.resolve("queue"));
    int port = freePort();
    int authPort = freePort();
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            etc.resolve("key.pem").toString(),
            "-out",
            etc.resolve("cert.pem").toString(),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost"));
    Path trust = dir.resolve("trust.p12");
    run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-importcert",
            "-noprompt",
            "-alias",
            "postfix",
            "-file",
            etc.resolve("cert.pem").toString(),
            "-storetype",
            "PKCS12",
            "-keystore",
            trust.toString(),
            "-storepass",
            "changeit"));
    Files.writeString(
        sasl.resolve("smtpd.conf"),
        "pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
            + "mech_list: PLAIN LOGIN\nsasldb_path: "
            + sasl.resolve("sasldb2")
            + "\n");
    Process p =
        new ProcessBuilder(
                "saslpasswd2",
                "-p",
                "-c",
                "-f",
                sasl.resolve("sasldb2").toString(),
                "-u",
                "example.net",
                "relayuser")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(PASSWORD.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    waitFor(p, "saslpasswd2");
    String uid = run(List.of("id", "-u", "postfix")).strip();
    String gid = run(List.of("id", "-g", "postfix")).strip();
    run(List.of("chown", "-R", "postfix", data.toString(), mail.toString()));
    run(List.of("chown", "root:postfix", sasl.resolve("sasldb2").toString()));
    run(List.of("chmod", "640", sasl.resolve("sasldb2").toString()));
    Files.writeString(
        etc.resolve("master.cf"),
        masterCf(port, authPort)
            + String.join("\n", extraMasterCf)
            + (extraMasterCf.isEmpty() ? "" : "\n"));
    List<String> main =
        new ArrayList<>(
            List.of(
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + data,
                "maillog_file_prefixes = " + dir,
                "maillog_file = " + dir.resolve("maillog"),
                "myhostname = localhost",
                "mydestination =",
                "inet_interfaces = loopback-only",
                "inet_protocols = ipv4",
                "mynetworks = 127.0.0.0/8",
                "virtual_mailbox_domains = example.net",
                "virtual_mailbox_base = " + mail,
                "virtual_mailbox_maps = static:box/",
                "virtual_uid_maps = static:" + uid,
                "virtual_gid_maps = static:" + gid,
                "smtpd_tls_cert_file = " + etc.resolve("cert.pem"),
                "smtpd_tls_key_file = " + etc.resolve("key.pem"),
                "smtpd_tls_security_level = may",
                "cyrus_sasl_config_path = " + sasl,
                "smtpd_sasl_path = smtpd",
                "smtpd_recipient_restrictions = check_recipient_access inline:{ {unknown@example.net = 550 5.1.1 no such user} },"
                    + " permit_sasl_authenticated, permit_mynetworks, reject"));
    main.addAll(mainCf);
    Files.write(etc.resolve("main.cf"), main);
    try {
      run(List.of("postfix", "-c", etc.toString(), "start"));
    } catch (IOException e) {
      Path log = dir.resolve("maillog");
      throw new IOException(
          e.getMessage() + (Files.exists(log) ? "; maillog: " + Files.readString(log) : ""), e);
    }
    PostfixRelay relay = new PostfixRelay(dir, port, authPort, trust);
    Awaitility.await("postfix listening")
        .atMost(Duration.ofSeconds(30))
        .until(() -> listening(port) && listening(authPort));
    return relay;
  }

  private static String masterCf(int port, int authPort) {
    String[] services = {
      "cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr",
          "rewrite unix - - n - - trivial-rewrite",
      "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce", "trace unix - - n - 0 bounce",
      "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush",
          "proxymap unix - - n - - proxymap",
      "error unix - - n - - error", "retry unix - - n - - error", "discard unix - - n - - discard",
      "virtual unix - n n - - virtual", "anvil unix - - n - 1 anvil",
          "scache unix - - n - 1 scache",
      "postlog unix-dgram n - n - 1 postlogd", "tlsmgr unix - - n 1000? 1 tlsmgr"
    };
    return "127.0.0.1:"
        + port
        + " inet n - n - - smtpd\n"
        + "127.0.0.1:"
        + authPort
        + " inet n - n - - smtpd\n"
        + "  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_tls_auth_only=yes\n"
        + "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
        + String.join("\n", services)
        + "\n";
  }

  /** The delivered messages, oldest first. */
  public List<byte[]> delivered() throws IOException {
    Path box = dir.resolve("mail/box/new");
    if (!Files.isDirectory(box)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(box)) {
      List<Path> sorted =
          files
              .sorted(
                  (a, b) ->
                      Long.compare(a.toFile().lastModified(), b.toFile().lastModified()) != 0
                          ? Long.compare(a.toFile().lastModified(), b.toFile().lastModified())
                          : a.compareTo(b))
              .toList();
      List<byte[]> out = new ArrayList<>();
      for (Path f : sorted) {
        out.add(Files.readAllBytes(f));
      }
      return out;
    }
  }

  public String log() throws IOException {
    Path log = dir.resolve("maillog");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws IOException {
    run(List.of("postfix", "-c", dir.resolve("etc").toString(), "stop"));
    Awaitility.await("postfix stopped")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !listening(port));
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    waitFor(p, String.join(" ", command) + ": " + out);
    return out;
  }

  private static void waitFor(Process p, String what) throws IOException {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("failed: " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    }
  }
}
