package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Nothing is printed while the masking consoles are installed: they write to the real file descriptors. */
class ConsoleMaskingTest {
  private PrintStream out;
  private PrintStream err;

  @BeforeEach
  void keepConsoles() {
    out = System.out;
    err = System.err;
  }

  @AfterEach
  void restoreConsoles() {
    System.setOut(out);
    System.setErr(err);
  }

  @Test
  void installingAgainGivesTheInstalledConsolesTheNewMaskerInsteadOfWrappingThemTwice() {
    ConsoleMasking.install(new Masker(List.of("first-binding-s3cret")));
    PrintStream maskedOut = System.out;
    PrintStream maskedErr = System.err;
    assertThat(ConsoleMasking.installed()).isTrue();

    ConsoleMasking.install(Map.of("CANARY", "second-binding-s3cret", MaskEnvironment.VARIABLE, "CANARY"));
    ConsoleMasking.install(Masker.NONE); // a binding without secrets keeps the consoles, masking nothing

    assertThat(System.out).isSameAs(maskedOut);
    assertThat(System.err).isSameAs(maskedErr);
  }

  @Test
  void withoutSecretsNothingIsInstalled() {
    ConsoleMasking.install(Map.of());
    assertThat(System.out).isSameAs(out);
    assertThat(ConsoleMasking.installed()).isFalse();
  }
}
