package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Secrets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskerTest {
  private static final String PASSWORD = "p@ss w/rd+\"q\"&é";
  private final Masker masker = new Masker(List.of(PASSWORD, "line-one\nline-two", "ab"));

  @Test
  void masksTheExactValueAndEveryEncodedForm() {
    byte[] bytes = PASSWORD.getBytes(StandardCharsets.UTF_8);
    List<String> forms = List.of(
        PASSWORD,
        Base64.getEncoder().encodeToString(bytes),
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
        URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8),
        "p%40ss%20w%2Frd%2B%22q%22%26%C3%A9",
        "p@ss w/rd+\\\"q\\\"&é");
    for (String form : forms) {
      String masked = masker.apply("before " + form + " after");
      assertThat(masked).as(form).isEqualTo("before " + Secrets.MASK + " after");
    }
  }

  @Test
  void masksEachLineOfAMultiLineValueAndTheWholeValue() {
    assertThat(masker.apply("got line-two here")).isEqualTo("got " + Secrets.MASK + " here");
    assertThat(masker.apply("{\"v\":\"line-one\\nline-two\"}")).isEqualTo("{\"v\":\"" + Secrets.MASK + "\"}");
  }

  @Test
  void leavesValuesShorterThanThreeCharactersAlone() {
    assertThat(masker.apply("about ab")).isEqualTo("about ab");
    assertThat(Masker.NONE.apply("anything")).isEqualTo("anything");
  }

  @Test
  void joinsWritesIntoLinesSoASplitSecretIsMasked() {
    List<String> lines = new ArrayList<>();
    MaskingLineSplitter splitter = new MaskingLineSplitter(masker, 64 * 1024, lines::add);
    splitter.write("connecting with p@ss w/");
    splitter.write("rd+\"q\"&é now\r\nsecond line-");
    splitter.write("two\nunfinished");
    splitter.flush();

    assertThat(lines).containsExactly(
        "connecting with " + Secrets.MASK + " now",
        "second " + Secrets.MASK,
        "unfinished");
    assertThat(String.join("\n", lines)).doesNotContain("w/rd", "line-two");
  }

  @Test
  void cutsOverlongLinesAtTheBound() {
    List<String> lines = new ArrayList<>();
    MaskingLineSplitter splitter = new MaskingLineSplitter(Masker.NONE, 4, lines::add);
    splitter.write("abcdefghij\n");
    assertThat(lines).containsExactly("abcd", "efgh", "ij");
  }

  @Test
  void masksAtEveryPositionAndOverlappingValuesAsOne() {
    Masker m = new Masker(List.of("abcdef", "defghi", "xyz"));
    for (int pad = 0; pad < 12; pad++) {
      String prefix = ".".repeat(pad);
      assertThat(m.apply(prefix + "xyz!")).isEqualTo(prefix + Secrets.MASK + "!");
      assertThat(m.apply(prefix + "abcdefghi!")).isEqualTo(prefix + Secrets.MASK + "!");
    }
    assertThat(m.apply("xyzxyz")).isEqualTo(Secrets.MASK + Secrets.MASK);
    assertThat(m.apply("xy")).isEqualTo("xy");
  }

  @Test
  void masksTheJsonFormWithUnicodeEscapes() {
    assertThat(masker.apply("{\"p\":\"p@ss w/rd+\\\"q\\\"&\\u00e9\"}"))
        .isEqualTo("{\"p\":\"" + Secrets.MASK + "\"}");
  }

  @Test
  void leavesNoFormOfManyRandomSecretsInRandomText() {
    Random random = new Random(7);
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      secrets.add(randomText(random, 3 + random.nextInt(20)));
    }
    Masker many = new Masker(secrets);
    assertThat(many.formCount()).isGreaterThan(300);
    for (int i = 0; i < 2_000; i++) {
      String secret = secrets.get(random.nextInt(secrets.size()));
      String form = random.nextBoolean() ? secret
          : Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
      String text = randomText(random, random.nextInt(40)) + form + randomText(random, random.nextInt(40));
      String masked = many.apply(text);
      assertThat(masked).as(text).contains(Secrets.MASK).doesNotContain(form);
    }
    String plain = "Applying changeset db/orders.xml::12::alice in 3 ms";
    assertThat(new Masker(List.of("qqqqq")).apply(plain)).isSameAs(plain);
  }

  @Test
  void neverShowsAValueInToString() {
    assertThat(masker.toString()).doesNotContain("p@ss").startsWith("Masker[forms=");
    assertThat(Masker.of(List.of())).isSameAs(Masker.NONE);
  }

  @Test
  void buildsTheMaskerFromTheVariablesNamedInDbopsMaskEnv() {
    Masker fromEnv = MaskEnvironment.masker(java.util.Map.of(
        MaskEnvironment.VARIABLE, "DB_PASSWORD, OTHER ,UNSET", "DB_PASSWORD", "s3cr3t-value", "OTHER", "first\nsecond",
        "PLAIN", "not-secret"));
    assertThat(fromEnv.apply("s3cr3t-value two not-secret second"))
        .isEqualTo(Secrets.MASK + " two not-secret " + Secrets.MASK);
    assertThat(MaskEnvironment.masker(java.util.Map.of("PLAIN", "x"))).isSameAs(Masker.NONE);
    assertThat(MaskEnvironment.names(List.of("B", "A"))).isEqualTo("A,B");
  }

  private static String randomText(Random random, int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 :/.-";
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
