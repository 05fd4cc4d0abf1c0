package io.dbops.step;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.List;

/**
 * mongo-java-server's in-memory backend with one gap closed: its {@code listCollections} ignores the
 * command's {@code filter} and always lists every collection. MongoDB applies it, and
 * liquibase-mongodb relies on that to find out whether its lock and history collections exist
 * ({@code listCollections} with {@code {name: "DATABASECHANGELOGLOCK"}}, expecting one result). This
 * backend applies a filter on the collection's {@code name} (an exact name, the only form the
 * extension sends) and leaves every other command to the emulator.
 */
final class NameFilteringMongoBackend extends MemoryBackend {
  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new NameFilteringDatabase(databaseName, this);
  }

  private static final class NameFilteringDatabase extends MemoryDatabase {
    NameFilteringDatabase(String name, NameFilteringMongoBackend backend) {
      super(name, backend.getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
        Oplog oplog) {
      Document response = super.handleCommand(channel, command, query, resolver, oplog);
      if (!"listCollections".equalsIgnoreCase(command) || !(query.get("filter") instanceof Document filter)
          || !(filter.get("name") instanceof String name) || !(response.get("cursor") instanceof Document cursor)
          || !(cursor.get("firstBatch") instanceof List<?> batch)) {
        return response;
      }
      cursor.put("firstBatch", batch.stream()
          .filter(c -> c instanceof Document d && name.equals(d.get("name"))).toList());
      return response;
    }
  }
}
