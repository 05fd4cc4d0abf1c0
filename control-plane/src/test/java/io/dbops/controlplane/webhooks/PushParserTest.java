package io.dbops.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushParserTest {
  private static Webhook hook(List<String> branches, List<String> paths) {
    return new Webhook("h", Webhook.Format.GITHUB, "p", branches, paths, Map.of(), "ref", null, null);
  }

  @Test
  void readsTheBranchCommitAndEveryChangedFileOfAGithubPush() {
    Push push = PushParser.parse(Webhook.Format.GITHUB, "push", Json.tree(Map.of(
        "ref", "refs/heads/main", "after", "abc",
        "commits", List.of(
            Map.of("added", List.of("db/a.xml"), "modified", List.of("README.md"), "removed", List.of()),
            Map.of("added", List.of(), "modified", List.of("db/a.xml"), "removed", List.of("db/old.xml"))))));
    assertThat(push.branch()).isEqualTo("main");
    assertThat(push.commit()).isEqualTo("abc");
    assertThat(push.paths()).containsExactly("db/a.xml", "README.md", "db/old.xml");
    assertThat(WebhookService.filter(hook(List.of("main"), List.of("db/**")), push)).isNull();
  }

  @Test
  void pingsTagsDeletionsAndOtherEventsRunNothing() {
    assertThat(PushParser.parse(Webhook.Format.GITHUB, "ping", Json.tree(Map.of())).kind())
        .isEqualTo("ping");
    Push tag = PushParser.parse(Webhook.Format.GITHUB, "push", Json.tree(Map.of(
        "ref", "refs/tags/v1", "after", "abc")));
    assertThat(WebhookService.filter(hook(List.of(), List.of()), tag))
        .isEqualTo("the push is not to a branch (a tag or another ref)");
    Push deleted = PushParser.parse(Webhook.Format.GITHUB, "push", Json.tree(Map.of(
        "ref", "refs/heads/main", "after", "0".repeat(40), "deleted", true)));
    assertThat(WebhookService.filter(hook(List.of(), List.of()), deleted))
        .isEqualTo("the push deletes branch 'main'");
    Push mr = PushParser.parse(Webhook.Format.GITLAB, "Merge Request Hook", Json.tree(Map.of()));
    assertThat(WebhookService.filter(hook(List.of(), List.of()), mr))
        .isEqualTo("event 'Merge Request Hook' is not a push");
  }

  @Test
  void gitlabUsesTheCheckoutShaAndGenericTakesABranchOrARef() {
    Push gl = PushParser.parse(Webhook.Format.GITLAB, "Push Hook", Json.tree(Map.of(
        "ref", "refs/heads/dev", "after", "aaa", "checkout_sha", "bbb",
        "commits", List.of(Map.of("added", List.of("x.sql"))))));
    assertThat(gl.commit()).isEqualTo("bbb");
    assertThat(gl.branch()).isEqualTo("dev");
    assertThat(gl.paths()).containsExactly("x.sql");
    Push generic = PushParser.parse(Webhook.Format.GENERIC, null, Json.tree(Map.of(
        "ref", "refs/heads/main", "commit", "c1", "paths", List.of("db/1.sql"))));
    assertThat(generic.branch()).isEqualTo("main");
    assertThat(generic.commit()).isEqualTo("c1");
    Push noCommit = PushParser.parse(Webhook.Format.GENERIC, null, Json.tree(Map.of("branch", "main")));
    assertThat(WebhookService.filter(hook(List.of(), List.of()), noCommit))
        .isEqualTo("the push names no commit for input 'ref'");
  }
}
