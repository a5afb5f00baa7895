package dev.postbus.smtp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate made with the JDK's keytool, and a trust store holding it
 * (public: the tests of {@code internal} use it too).
 */
public final class Certificates {

  public static final String PASSWORD = "changeit";

  public final Path serverKeyStore;
  public final Path trustStore;

  private Certificates(Path serverKeyStore, Path trustStore) {
    this.serverKeyStore = serverKeyStore;
    this.trustStore = trustStore;
  }

  /**
   * A certificate for {@code dnsName} only (so connecting by IP address fails host-name
   * verification).
   */
  public static Certificates selfSigned(Path dir, String dnsName) throws Exception {
    Path server = dir.resolve("server.p12");
    Path pem = dir.resolve("server.pem");
    Path trust = dir.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "relay",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=" + dnsName,
        "-ext",
        "SAN=dns:" + dnsName,
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        server.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "relay",
        "-rfc",
        "-keystore",
        server.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        pem.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "relay",
        "-file",
        pem.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        trust.toString(),
        "-storepass",
        PASSWORD);
    return new Certificates(server, trust);
  }

  /** The server side: its key and certificate. */
  public SSLContext serverContext() throws Exception {
    KeyStore ks = KeyStore.getInstance(serverKeyStore.toFile(), PASSWORD.toCharArray());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
