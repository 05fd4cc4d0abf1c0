package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import io.dbops.step.config.MongoSettings;
import io.dbops.step.config.StepRuntimeConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MongoDB path (liquibase-mongodb) through the gRPC service. There is no MongoDB server on the
 * build machines: the target is mongo-java-server, an in-memory reimplementation of MongoDB's wire
 * protocol that the real MongoDB Java driver talks to. It is not MongoDB: this proves the wiring
 * (URL routing, the extension's database, parser, lock and history services, refusals, error
 * mapping) and the step kinds' logic, not compatibility with a MongoDB release. The emulator lacks
 * {@code collMod} and JSON-schema validators, so the runtime runs with {@link
 * MongoSettings#withoutValidators()} ({@code DBOPS_STEP_MONGODB_SUPPORTS_VALIDATOR=false}, {@code
 * DBOPS_STEP_MONGODB_ADJUST_TRACKING_COLLECTIONS=false}), as it would for Amazon DocumentDB.
 */
class MongoIT {
  @TempDir Path tmp;
  private MongoServer server;
  private String url;
  private StepHarness harness;

  @BeforeEach
  void start() throws Exception {
    server = new MongoServer(new NameFilteringMongoBackend());
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    url = "mongodb://127.0.0.1:" + address.getPort() + "/orders";
    harness = new StepHarness(Map.of(),
        StepRuntimeConfig.builder().port(0).mongo(MongoSettings.withoutValidators()).build());
    Files.writeString(tmp.resolve("changelog.xml"), """
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:ext="http://www.liquibase.org/xml/ns/mongodb"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd
              http://www.liquibase.org/xml/ns/mongodb
              http://www.liquibase.org/xml/ns/mongodb/liquibase-mongodb-latest.xsd">
          <changeSet id="m1" author="dbops">
            <ext:createCollection collectionName="people"/>
            <rollback>
              <ext:dropCollection collectionName="people"/>
            </rollback>
          </changeSet>
          <changeSet id="m2" author="dbops">
            <ext:insertOne collectionName="people">
              <ext:document>{"name": "Ada"}</ext:document>
            </ext:insertOne>
            <rollback>
              <ext:runCommand>
                <ext:command>{"delete": "people", "deletes": [{"q": {"name": "Ada"}, "limit": 0}]}</ext:command>
              </ext:runCommand>
            </rollback>
          </changeSet>
        </databaseChangeLog>
        """);
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
    server.shutdownNow();
  }

  private StepRequest.Builder request(StepKind kind, String mongoUrl) {
    return StepHarness.request(kind, "changelog.xml", mongoUrl, "").setSearchPath(tmp.toString());
  }

  private static StepHarness.Run succeeded(StepHarness.Run run) {
    assertThat(run.result().getStatus()).as(run.result().getError() + "\n" + run.logText())
        .isEqualTo(StepStatus.STEP_STATUS_SUCCEEDED);
    return run;
  }

  @Test
  void readsPendingChangesetsAndHistoryThroughTheExtension() {
    StepHarness.Run status = succeeded(harness.execute(request(StepKind.STEP_KIND_STATUS, url).build()));
    StepHarness.Run history = succeeded(harness.execute(request(StepKind.STEP_KIND_HISTORY, url).build()));

    assertThat(status.result().getOutputsMap()).containsEntry("pending", "2");
    assertThat(status.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("m1", "PENDING"),
            org.assertj.core.groups.Tuple.tuple("m2", "PENDING"));
    assertThat(history.result().getOutputsMap()).containsEntry("count", "0");
    try (MongoClient client = MongoClients.create(url)) {
      // Read-only kinds leave the database as it was: no collection was created.
      assertThat(client.getDatabase("orders").listCollectionNames().into(new ArrayList<>())).doesNotContain("people");
    }
  }

  @Test
  void appliesTagsAndRollsBackTheLastChangeset() {
    StepHarness.Run apply = succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, url).build()));
    assertThat(apply.result().getOutputsMap()).containsEntry("changesetsApplied", "2");
    assertThat(people()).containsExactly("Ada");
    assertThat(history()).extracting(d -> d.getString("id")).containsExactly("m1", "m2");

    StepHarness.Run status = succeeded(harness.execute(request(StepKind.STEP_KIND_STATUS, url).build()));
    assertThat(status.result().getOutputsMap()).containsEntry("pending", "0");

    succeeded(harness.execute(request(StepKind.STEP_KIND_TAG, url).setTag("v1").build()));
    assertThat(history().get(1).getString("tag")).isEqualTo("v1");

    StepHarness.Run rollback = succeeded(harness.execute(request(StepKind.STEP_KIND_ROLLBACK, url).setCount(1).build()));
    assertThat(rollback.result().getChangesetsList()).extracting(ChangeSetRecord::getId).containsExactly("m2");
    assertThat(people()).isEmpty();
    assertThat(history()).extracting(d -> d.getString("id")).containsExactly("m1");

    StepHarness.Run after = succeeded(harness.execute(request(StepKind.STEP_KIND_STATUS, url).build()));
    assertThat(after.result().getOutputsMap()).containsEntry("pending", "1");
    assertThat(after.result().getChangesetsList()).extracting(ChangeSetRecord::getId, ChangeSetRecord::getState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("m2", "PENDING"));
  }

  @Test
  void rollsBackToATag() {
    succeeded(harness.execute(request(StepKind.STEP_KIND_APPLY, url).build()));
    succeeded(harness.execute(request(StepKind.STEP_KIND_TAG, url).setTag("release-1").build()));
    assertThat(history()).extracting(d -> d.getString("tag")).containsExactly(null, "release-1");

    // Nothing was applied after the tag: rolling back to it changes nothing and succeeds.
    succeeded(harness.execute(request(StepKind.STEP_KIND_ROLLBACK, url).setTag("release-1").build()));
    assertThat(people()).containsExactly("Ada");
    assertThat(history()).hasSize(2);
  }

  @Test
  void withTheExtensionsDefaultsTheEmulatorRefusesTheTrackingCollections() throws Exception {
    // The settings reach liquibase-mongodb: with validators on, it sends collMod, which the
    // emulator does not know, and the apply fails before any changeset runs.
    try (StepHarness defaults = new StepHarness(Map.of(), StepRuntimeConfig.defaults(0))) {
      StepHarness.Run run = defaults.execute(request(StepKind.STEP_KIND_APPLY, url).build());

      assertThat(run.result().getStatus()).as(run.logText()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
      assertThat(people()).isEmpty();
    }
  }

  private List<String> people() {
    try (MongoClient client = MongoClients.create(url)) {
      return client.getDatabase("orders").getCollection("people").find().map(d -> d.getString("name"))
          .into(new ArrayList<>());
    }
  }

  /** The history rows of the changelog's changesets (not the row a tag on an empty history adds). */
  private List<Document> history() {
    try (MongoClient client = MongoClients.create(url)) {
      return client.getDatabase("orders").getCollection("DATABASECHANGELOG").find(new Document("author", "dbops"))
          .sort(new Document("orderExecuted", 1)).into(new ArrayList<>());
    }
  }

  @Test
  void driftIsRefusedForMongoDb() {
    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_DRIFT, url).build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("DRIFT is not supported for MongoDB targets");
  }

  @Test
  void anUnreachableServerFailsNamingIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String unreachable = "mongodb://127.0.0.1:" + closed + "/orders?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000";

    StepHarness.Run run = harness.execute(request(StepKind.STEP_KIND_STATUS, unreachable).build());

    assertThat(run.result().getStatus()).isEqualTo(StepStatus.STEP_STATUS_FAILED);
    assertThat(run.result().getError()).startsWith("Cannot connect to MongoDB at " + unreachable + " as no user");
  }
}
