package io.dbops.step.liquibase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.exception.LiquibaseException;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ResourceAccessor;

/**
 * Parsed changelogs kept across steps, keyed by search root, changelog path, database type,
 * parameters, contexts and labels, and valid while no file under the root changed size or
 * modification time (the fingerprint is recomputed every step). APPLY's Liquibase facade (pending
 * check and update) is built on the cached object. Bounded (LRU); used by one step at a time.
 */
final class ChangelogCache {
  private record Key(Path root, String file, String databaseType, Map<String, String> parameters, String contexts,
      String labels) {}

  private record Entry(long fingerprint, DatabaseChangeLog changeLog) {}

  private final int capacity;
  private final ProcessEnvironment processEnvironment;
  private final Map<Key, Entry> entries;

  /** @param processEnvironment the environment variables a changelog may use as parameters */
  ChangelogCache(int capacity, ProcessEnvironment processEnvironment) {
    this.capacity = capacity;
    this.processEnvironment = processEnvironment;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  synchronized void clear() {
    entries.clear();
  }

  /**
   * The parsed changelog, from the cache when nothing under {@code root} changed. Contexts and
   * labels are part of the parse: changelog properties may be declared per context or label, so
   * {@code ${name}} resolves differently for different contexts (Apache Fineract does this).
   */
  synchronized DatabaseChangeLog get(Path root, String file, Database database, Map<String, String> parameters,
      String contexts, String labels, ResourceAccessor accessor) throws LiquibaseException, IOException {
    Key key = new Key(root, file, database.getShortName(), Map.copyOf(parameters), contexts, labels);
    long fingerprint = fingerprint(root);
    Entry entry = entries.get(key);
    if (entry != null && entry.fingerprint() == fingerprint) {
      return entry.changeLog();
    }
    ChangeLogParameters params = new ChangeLogParameters(database);
    processEnvironment.addTo(params);
    parameters.forEach(params::set);
    params.setContexts(new liquibase.Contexts(contexts));
    params.setLabels(new liquibase.LabelExpression(labels));
    DatabaseChangeLog parsed;
    try {
      // With the database in scope, Liquibase picks the change implementation for it: without it,
      // an extension's same-named change (liquibase-mongodb's createIndex) could win for SQL targets.
      parsed = Scope.child(Map.<String, Object>of(Scope.Attr.database.name(), database),
          () -> ChangeLogParserFactory.getInstance().getParser(file, accessor).parse(file, params, accessor));
    } catch (LiquibaseException | IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new LiquibaseException(e);
    }
    entries.put(key, new Entry(fingerprint, parsed));
    while (entries.size() > capacity) {
      entries.remove(entries.keySet().iterator().next());
    }
    return parsed;
  }

  private static long fingerprint(Path root) throws IOException {
    long hash = 17;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        hash = hash * 31 + p.toString().hashCode();
        hash = hash * 31 + Files.size(p);
        hash = hash * 31 + Files.getLastModifiedTime(p).toMillis();
      }
    }
    return hash;
  }
}
