package dev.postbus.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A credential: a value, or a file read again each time the value is needed (a mounted Kubernetes
 * secret, an OAuth token that a sidecar refreshes). Its {@link #toString()} never shows the value.
 */
public final class Secret {

  private final String value;
  private final Path file;

  private Secret(String value, Path file) {
    this.value = value;
    this.file = file;
  }

  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value"), null);
  }

  /**
   * The contents of {@code file} (without trailing white space), read now to check it can be, and
   * again at every {@link #reveal()}: the secret follows the file when it changes.
   */
  public static Secret fromFile(Path file) throws IOException {
    read(file);
    return new Secret(null, file);
  }

  /**
   * The value itself, for handing to the SMTP library; never log it. A file is read again each
   * time.
   */
  public String reveal() {
    if (file == null) {
      return value;
    }
    try {
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the secret file " + file + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /** The file's text without the white space at its end (a newline an editor or echo left). */
  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && Objects.equals(s.value, value) && Objects.equals(s.file, file);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, file);
  }

  @Override
  public String toString() {
    return file == null ? "(secret)" : "(secret from " + file + ")";
  }
}
