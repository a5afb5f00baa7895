package dev.postbus.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code postbus dev} only (its receiver listens on loopback): where the SES endpoint may fetch SNS
 * signing certificates from, so a developer or a test can post SNS notifications signed by a
 * certificate of their own, served over https by a server whose certificate a CA of theirs issued.
 * Signatures are still verified in full; only the allow-list of hosts and the TLS trust change.
 * {@code postbus feedback} has no such keys: its certificates come from {@code
 * sns.<region>.amazonaws.com} over the JVM's trust.
 *
 * @param hosts the host names certificates may come from ({@code dev.sns-certificate-hosts})
 * @param trust trusts the CA of {@code dev.sns-certificate-ca} only
 */
record DevSnsCertificates(Pattern hosts, SSLContext trust) {

  static final String HOSTS = "dev.sns-certificate-hosts";
  static final String CA = "dev.sns-certificate-ca";

  /** A comment after a value, which a properties file keeps in the value. */
  private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s#");

  /** The dev keys of {@code file}; null when it sets neither. */
  static DevSnsCertificates load(Path file) {
    if (file == null) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--config: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    for (String name : p.stringPropertyNames()) {
      if (TRAILING_COMMENT.matcher(p.getProperty(name)).find()) {
        throw new IllegalArgumentException(
            name
                + ": a '#' after the value in "
                + file
                + " is part of the value in a properties file; put comments on lines of their own");
      }
      if (name.startsWith("dev.") && !Set.of(HOSTS, CA).contains(name)) {
        throw new IllegalArgumentException(
            name + ": unknown key in " + file + " (postbus dev knows " + HOSTS + ", " + CA + ")");
      }
    }
    String hosts = p.getProperty(HOSTS);
    String ca = p.getProperty(CA);
    if (hosts == null && ca == null) {
      return null;
    }
    if (hosts == null || ca == null) {
      throw new IllegalArgumentException(
          (hosts == null ? HOSTS : CA) + ": set it with " + (hosts == null ? CA : HOSTS));
    }
    return new DevSnsCertificates(pattern(hosts.strip()), trust(Path.of(ca.strip())));
  }

  private static Pattern pattern(String hosts) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException(HOSTS + ": empty; give the host names, e.g. localhost");
    }
    try {
      return Pattern.compile(hosts);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(HOSTS + ": not a regular expression: " + e.getMessage());
    }
  }

  private static SSLContext trust(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(CA + ": no certificate in " + pem);
      }
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ts.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, tmf.getTrustManagers(), null);
      return c;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          CA + ": cannot read " + pem + " (" + e.getClass().getSimpleName() + ")");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(CA + ": not a PEM certificate: " + pem);
    }
  }
}
