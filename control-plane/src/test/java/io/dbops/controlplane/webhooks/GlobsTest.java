package io.dbops.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobsTest {
  @Test
  void aStarStaysInOneSegmentAndTwoStarsCrossThem() {
    assertThat(Globs.anyMatches(List.of("release/*"), "release/2.1")).isTrue();
    assertThat(Globs.anyMatches(List.of("release/*"), "release/2.1/hotfix")).isFalse();
    assertThat(Globs.anyMatches(List.of("db/**"), "db/changelog/0042.xml")).isTrue();
    assertThat(Globs.anyMatches(List.of("db/**"), "src/db/x.xml")).isFalse();
    assertThat(Globs.anyMatches(List.of("db/**/*.xml"), "db/x.xml")).isTrue();
    assertThat(Globs.anyMatches(List.of("db/**/*.xml"), "db/a/b/x.xml")).isTrue();
    assertThat(Globs.anyMatches(List.of("db/**/*.xml"), "db/a/b/x.sql")).isFalse();
    assertThat(Globs.anyMatches(List.of("v?"), "v1")).isTrue();
    assertThat(Globs.anyMatches(List.of("main"), "main")).isTrue();
    assertThat(Globs.anyMatches(List.of("main"), "mainline")).isFalse();
    assertThat(Globs.anyMatches(List.of("a.b"), "axb")).as("a dot is literal").isFalse();
    assertThat(Globs.anyMatches(List.of(), "anything")).as("no filter").isTrue();
  }

  @Test
  void classesBracesAndEmptyGlobsAreRefusedWithTheReason() {
    assertThat(Globs.problem("feat/[ab]")).isEqualTo("'feat/[ab]' uses '['; only *, ** and ? are supported");
    assertThat(Globs.problem("{a,b}")).contains("uses '{'");
    assertThat(Globs.problem(" ")).isEqualTo("is empty");
    assertThat(Globs.problem("a/***")).contains("use ** to match across directories");
    assertThat(Globs.problem("db/**")).isNull();
  }
}
