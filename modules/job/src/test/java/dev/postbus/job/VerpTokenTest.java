package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
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
  void theFormatIsHexOfTheIdDotHexOfTenMacBytes() {
    String token = verp.token("a/b");
    assertThat(token).matches("612f62\\.[0-9a-f]{20}");
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
        new String[] {"bounces+", "bounces+zz.00", "bounces+6f.", "bounces+6f" + ".zz".repeat(7)}) {
      assertThat(verp.check(local).status()).as(local).isEqualTo(VerpToken.Status.FORGED);
    }
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
