package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VerpTokenTest {

  private static final String KEY = "k".repeat(40);
  private final VerpToken verp = new VerpToken(KEY);

  @Test
  void aTokenCarriesTheJobIdBack() {
    String address = verp.address("order-42", "bounces.example.com");
    assertThat(address).startsWith("bounces+").endsWith("@bounces.example.com");
    String local = address.substring(0, address.lastIndexOf('@'));
    assertThat(verp.check(local))
        .isEqualTo(new VerpToken.Check(VerpToken.Status.VALID, "order-42"));
  }

  @Test
  void theFormatIsBase32OfTheIdDotFiftyMacBits() {
    // "a/b" = 0x61 0x2f 0x62: base32 "mexwe", lower case, no padding, marked 'b' (bytes)
    assertThat(verp.token("a/b")).matches("bmexwe\\.[a-z2-7]{10}");
  }

  @Test
  void theClientsDefaultIdAUuidFitsTheLocalPartLimitOfRfc5321() {
    String id = UUID.randomUUID().toString();
    String address = verp.address(id, "bounces.example.com");
    String local = address.substring(0, address.lastIndexOf('@'));

    assertThat(local)
        .hasSizeLessThanOrEqualTo(64)
        .matches("bounces\\+u[a-z2-7]{26}\\.[a-z2-7]{10}");
    assertThat(verp.check(local)).isEqualTo(new VerpToken.Check(VerpToken.Status.VALID, id));
  }

  @Test
  void anUpperCaseUuidIsCarriedAsBytesNotChangedInCase() {
    String id = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    String token = verp.token(id);
    assertThat(token).startsWith("b");
    assertThat(verp.check(VerpToken.PREFIX + token).jobId()).isEqualTo(id);
  }

  @Test
  void anIdTooLongForTheLocalPartHasNoAddress() {
    String longest = "x".repeat(27); // 8 + 1 + 44 + 1 + 10 = 64 octets
    assertThat(verp.address(longest, "b.example.com")).isNotNull();
    String local = verp.address(longest, "b.example.com").split("@")[0];
    assertThat(local).hasSize(64);
    assertThat(verp.address("x".repeat(28), "b.example.com")).isNull();
  }

  @Test
  void aPathOverTwoHundredFiftySixOctetsHasNoAddress() {
    String domain = ("d".repeat(60) + ".").repeat(3) + "d".repeat(28) + ".com"; // 215 octets
    assertThat(verp.address("order-42", domain)).isNotNull();
    assertThat(verp.address(UUID.randomUUID().toString(), domain)).isNull();
  }

  @Test
  void anMtaThatUpperCasesTheLocalPartDoesNotBreakIt() {
    String local = (VerpToken.PREFIX + verp.token("Job:7")).toUpperCase(Locale.ROOT);
    assertThat(verp.check(local).jobId()).isEqualTo("Job:7");
  }

  @Test
  void anotherJobIdWithTheSameMacIsForged() {
    String token = verp.token("order-42");
    String mac = token.substring(token.indexOf('.') + 1);
    String forged = "bounces+" + verp.token("order-43").split("\\.")[0] + "." + mac;
    assertThat(verp.check(forged).status()).isEqualTo(VerpToken.Status.FORGED);
  }

  @Test
  void aTokenMadeWithAnotherKeyIsForged() {
    String other = new VerpToken("x".repeat(40)).token("order-42");
    assertThat(verp.check("bounces+" + other))
        .isEqualTo(new VerpToken.Check(VerpToken.Status.FORGED, null));
  }

  @Test
  void malformedTokensAreForgedNotErrors() {
    for (String local :
        new String[] {
          "bounces+",
          "bounces+zz.00",
          "bounces+6f.",
          "bounces+6f" + ".zz".repeat(7),
          "bounces+b.aaaaaaaaaa",
          "bounces+bmexwe.aaaaaaaaa",
          "bounces+bme1we.aaaaaaaaaa",
          "bounces+umexwe.aaaaaaaaaa",
          "bounces+xmexwe.aaaaaaaaaa"
        }) {
      assertThat(verp.check(local).status()).as(local).isEqualTo(VerpToken.Status.FORGED);
    }
  }

  @Test
  void aTokenMadeWithThePreviousKeyIsValidDuringARotation() {
    String old = "o".repeat(40);
    String madeBefore = VerpToken.PREFIX + new VerpToken(old).token("order-42");
    VerpToken rotated = new VerpToken("n".repeat(40), old);

    assertThat(rotated.check(madeBefore))
        .isEqualTo(new VerpToken.Check(VerpToken.Status.VALID, "order-42"));
    assertThat(rotated.token("order-42"))
        .isEqualTo(new VerpToken("n".repeat(40)).token("order-42"));
    assertThat(new VerpToken("n".repeat(40)).check(madeBefore).status())
        .isEqualTo(VerpToken.Status.FORGED);
  }

  @Test
  void aShortPreviousKeyIsRefused() {
    assertThatThrownBy(() -> new VerpToken(KEY, "short")).hasMessageContaining("fewer than 32");
  }

  @Test
  void otherLocalPartsAreNotVerp() {
    assertThat(verp.check("postmaster").status()).isEqualTo(VerpToken.Status.NOT_VERP);
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> new VerpToken("short"))
        .hasMessageContaining("fewer than 32")
        .hasMessageNotContaining("short");
  }
}
