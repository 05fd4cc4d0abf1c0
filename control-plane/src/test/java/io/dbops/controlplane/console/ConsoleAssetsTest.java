package io.dbops.controlplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {
  @Test
  void everyListedAssetLoadsWithItsTypeAndAStableEtag() {
    ConsoleAssets first = ConsoleAssets.load();
    ConsoleAssets second = ConsoleAssets.load();
    for (String name : ConsoleAssets.NAMES) {
      ConsoleAssets.Asset asset = first.find(name).orElseThrow();
      assertThat(asset.bytes()).as(name).isNotEmpty();
      assertThat(asset.etag()).isEqualTo(second.find(name).orElseThrow().etag()).matches("\"[0-9a-f]{32}\"");
    }
    assertThat(first.find("app.js").orElseThrow().etag()).isNotEqualTo(first.find("api.js").orElseThrow().etag());
  }

  @Test
  void onlyListedNamesExist() {
    ConsoleAssets assets = ConsoleAssets.load();
    assertThat(assets.find("../db/changelog.xml")).isEmpty();
    assertThat(assets.find("ConsoleRoutes.class")).isEmpty();
    assertThat(assets.find("")).isEmpty();
  }

  @Test
  void anAssetOfAnUnknownKindIsAPackagingError() {
    assertThat(ConsoleAssets.contentType("app.js")).isEqualTo("text/javascript; charset=utf-8");
    assertThatThrownBy(() -> ConsoleAssets.contentType("notes.txt"))
        .hasMessage("No content type for console asset notes.txt");
  }
}
