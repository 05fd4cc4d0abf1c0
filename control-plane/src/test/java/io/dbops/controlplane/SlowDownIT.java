package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repeated authentication failures from one address are answered 429 on the real server. */
class SlowDownIT {
  @TempDir Path dataDir;

  @Test
  void theEleventhFailureInAMinuteGets429WithRetryAfterWhileAValidTokenStillWorks()
      throws Exception {
    try (ControlPlane cp = new ControlPlane(Fixtures.config(dataDir))) {
      cp.start();
      TestClient guesser = TestClient.of(cp).as("dbops_pat_guess");
      for (int i = 0; i < 10; i++) {
        assertThat(guesser.get("/api/v1/secrets").code()).as("failure %d", i + 1).isEqualTo(401);
      }
      Request request = new Request.Builder().url(cp.baseUrl() + "/api/v1/tokens")
          .post(okhttp3.RequestBody.create("{\"name\":\"x\"}", TestClient.JSON))
          .header("Authorization", "Bearer dbops_pat_guess").build();
      try (Response response = guesser.http.newCall(request).execute()) {
        assertThat(response.code()).isEqualTo(429);
        assertThat(Long.parseLong(response.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(response.body().string()).contains("too_many_failures")
            .contains("Too many failed authentications").doesNotContain("dbops_pat_guess");
      }
      TestClient admin = TestClient.of(cp);
      assertThat(admin.get("/api/v1/secrets").code()).isEqualTo(200);
      assertThat(admin.get("/api/v1/audit?action=access.refused").json().get(0).path("outcome")
          .asText()).isEqualTo("throttled: 429");
    }
  }
}
