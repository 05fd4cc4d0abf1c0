package io.dbops.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

class RootCauseTest {
  @Test
  void findsTheInnermostCauseAndItsMessage() {
    IOException bind = new IOException("Failed to bind to address 0.0.0.0/0.0.0.0:20001",
        new IllegalStateException("wrapped", new BindException("Address already in use")));

    assertThat(RootCause.of(bind)).isInstanceOf(BindException.class);
    assertThat(RootCause.message(bind)).isEqualTo("Address already in use");
    assertThat(RootCause.suffix(bind)).isEqualTo(" (Address already in use)");
  }

  @Test
  void withoutACauseTheErrorIsItsOwnRootAndAddsNothing() {
    IOException alone = new IOException("disk full");
    RuntimeException silent = new RuntimeException(new IllegalStateException());

    assertThat(RootCause.of(alone)).isSameAs(alone);
    assertThat(RootCause.suffix(alone)).isEmpty();
    assertThat(RootCause.message(silent)).isEqualTo("IllegalStateException");
    assertThat(RootCause.suffix(silent)).isEmpty();
  }
}
