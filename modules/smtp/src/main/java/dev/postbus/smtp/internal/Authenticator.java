package dev.postbus.smtp.internal;

import dev.postbus.smtp.AuthMechanism;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.internal.SessionOpener.OpenFailed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * SMTP AUTH: XOAUTH2 with a bearer token, else PLAIN, else LOGIN, whichever the relay offers. Only
 * over an encrypted session unless smtp.auth-over-plaintext=allow ({@link SessionOpener} checks).
 */
final class Authenticator {

  private final SmtpConfig config;

  Authenticator(SmtpConfig config) {
    this.config = config;
  }

  void authenticate(Socket socket, ReplyReader in, Extensions ext) throws IOException, OpenFailed {
    String secret;
    try {
      secret = config.password().reveal();
    } catch (UncheckedIOException e) {
      // The password or token file is unreadable (a secret being rotated): the relay cannot be used
      // until it is back.
      throw new OpenFailed(new SendOutcome.RelayRefused(e.getMessage(), null));
    }
    String user = config.username();
    Reply r;
    if (config.authMechanism() == AuthMechanism.XOAUTH2) {
      requireOffered(ext, "XOAUTH2");
      SessionOpener.write(
          socket,
          "AUTH XOAUTH2 "
              + base64("user=" + user + "\u0001auth=Bearer " + secret + "\u0001\u0001"));
      r = in.read();
      if (r.code() == 334) { // an error challenge (JSON); an empty line asks for the final reply
        SessionOpener.write(socket, "");
        r = in.read();
      }
    } else if (ext.authMechanisms().contains("PLAIN")) {
      SessionOpener.write(socket, "AUTH PLAIN " + base64("\u0000" + user + "\u0000" + secret));
      r = in.read();
    } else {
      requireOffered(ext, "LOGIN");
      SessionOpener.write(socket, "AUTH LOGIN");
      r = in.read();
      if (r.code() == 334) {
        SessionOpener.write(socket, base64(user));
        r = in.read();
        if (r.code() == 334) {
          SessionOpener.write(socket, base64(secret));
          r = in.read();
        }
      }
    }
    if (r.code() != 235) {
      throw new OpenFailed(new SendOutcome.RelayRefused("authentication failed", r.toSmtpReply()));
    }
  }

  private void requireOffered(Extensions ext, String mechanism) throws OpenFailed {
    if (!ext.authMechanisms().contains(mechanism)) {
      throw new OpenFailed(
          new SendOutcome.RelayRefused(
              "authentication failed: the relay does not offer AUTH "
                  + (config.authMechanism() == AuthMechanism.XOAUTH2 ? "XOAUTH2" : "PLAIN or LOGIN")
                  + " (it offers: "
                  + (ext.authMechanisms().isEmpty()
                      ? "none"
                      : String.join(" ", ext.authMechanisms()))
                  + ")",
              null));
    }
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
