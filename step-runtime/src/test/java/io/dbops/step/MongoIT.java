package io.dbops.step;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.dbops.proto.v1.ChangeSetRecord;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepStatus;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MongoDB path (liquibase-mongodb) through the gRPC service. There is no MongoDB server on the
 * build machines: the target is mongo-java-server, an in-memory server that speaks MongoDB's wire
 * protocol to the real MongoDB Java driver. This proves the wiring (URL routing, the extension's
 * database, parser and history service, refusals, error mapping), not compatibility with a real
 * MongoDB release. APPLY, VALIDATE, TAG, ROLLBACK and SYNC cannot be tested here: they set up the
 * extension's lock and history collections, which needs commands the emulator lacks ({@code
 * collMod} for their JSON-schema validators; with validators off its collection-existence check
 * still differs), so they fail on the emulator where they would run on MongoDB.
 */
class MongoIT {
  @TempDir Path tmp;
  private MongoServer server;
  private String url;
  private StepHarness harness;

  @BeforeEach
  void start() throws Exception {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    InetSocketAddress address = server.getLocalAddress();
    url = "mongodb://127.0.0.1:" + address.getPort() + "/orders";
    harness = new StepHarness();
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
          </changeSet>
          <changeSet id="m2" author="dbops">
            <ext:insertOne collectionName="people">
              <ext:document>{"name": "Ada"}</ext:document>
            </ext:insertOne>
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
