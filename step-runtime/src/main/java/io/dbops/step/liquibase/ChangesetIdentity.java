package io.dbops.step.liquibase;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.RanChangeSet;

/**
 * Finds changesets the history already records under another path. Liquibase identifies a
 * changeset by path, id and author, and the path is the changelog's path relative to the search
 * path; the same changelog reached through another search path (a pipeline's directory, {@code
 * dbops step} run from elsewhere, an older dbops that used the changelog's own directory) gives
 * every changeset a second identity, and Liquibase would run it again. A changeset of the
 * changelog without a history row of its own, while a row with its id and author exists under a
 * path that no changeset of the changelog has and that names the same file from another root (one
 * path is the other's tail: {@code changelog.xml} and {@code db/changelog.xml}), is such a mismatch.
 * Another file with the same id and author ({@code one.sql::1::d} and {@code more.sql::1::d}: two
 * changelogs sharing a database) is not. Pure; one step.
 */
final class ChangesetIdentity {
  /** A changeset of the changelog and the row that records it under another path. */
  record Mismatch(ChangeSet changeSet, RanChangeSet row) {}

  private ChangesetIdentity() {}

  /** Every mismatch, in changelog order. */
  static List<Mismatch> find(DatabaseChangeLog changeLog, List<RanChangeSet> ran) {
    if (ran.isEmpty()) {
      return List.of();
    }
    Set<String> inChangelog = new HashSet<>();
    for (ChangeSet cs : changeLog.getChangeSets()) {
      inChangelog.add(key(cs.getFilePath(), cs.getId(), cs.getAuthor()));
    }
    Set<String> recorded = new HashSet<>();
    Map<String, List<RanChangeSet>> orphans = new HashMap<>(); // id::author -> rows no changeset has
    for (RanChangeSet r : ran) {
      if ("liquibase-internal".equals(r.getChangeLog())) {
        continue; // the row Liquibase's tag adds to an empty history
      }
      String key = key(r.getChangeLog(), r.getId(), r.getAuthor());
      recorded.add(key);
      if (!inChangelog.contains(key)) {
        orphans.computeIfAbsent(idAuthor(r.getId(), r.getAuthor()), k -> new ArrayList<>()).add(r);
      }
    }
    if (orphans.isEmpty()) {
      return List.of();
    }
    List<Mismatch> found = new ArrayList<>();
    for (ChangeSet cs : changeLog.getChangeSets()) {
      if (recorded.contains(key(cs.getFilePath(), cs.getId(), cs.getAuthor()))) {
        continue;
      }
      for (RanChangeSet row : orphans.getOrDefault(idAuthor(cs.getId(), cs.getAuthor()), List.of())) {
        if (sameFileFromAnotherRoot(cs.getFilePath(), row.getChangeLog())) {
          found.add(new Mismatch(cs, row));
          break;
        }
      }
    }
    return found;
  }

  /**
   * The refusal: the first mismatch, how many there are, and how to reconcile them (the search
   * path that gives the recorded path, when one does; else logicalFilePath).
   *
   * @param searchRoot the step's search path
   * @param table the history table's name, as the target names it
   */
  static String refusal(List<Mismatch> mismatches, Path searchRoot, String table) {
    Mismatch first = mismatches.get(0);
    String ours = ChangeSetTracker.name(first.changeSet());
    String theirs = first.row().getChangeLog() + "::" + first.row().getId() + "::" + first.row().getAuthor();
    Path suggested = searchPathFor(searchRoot, first.changeSet().getFilePath(), first.row().getChangeLog());
    StringBuilder sb = new StringBuilder("Changeset ").append(ours).append(" is recorded in ").append(table)
        .append(" under another path, as ").append(theirs)
        .append(": Liquibase would take it for a new changeset and run it again");
    if (mismatches.size() > 1) {
      sb.append(" (").append(mismatches.size()).append(" changesets are recorded under another path)");
    }
    sb.append(". The recorded path is the changelog's path relative to the search path (here ").append(searchRoot)
        .append("). Nothing was run. To reconcile: ");
    if (suggested != null) {
      sb.append("run with the search path ").append(suggested).append(" (dbops step --search-path ")
          .append(suggested).append("; in a pipeline the step's searchPath), or ");
    }
    return sb.append("give the changelog logicalFilePath=\"").append(first.row().getChangeLog())
        .append("\" (or update FILENAME in ").append(table).append(" once, if the new path should stay).")
        .toString();
  }

  /**
   * The search path under which {@code ourPath} (relative to {@code searchRoot}) would be recorded
   * as {@code recordedPath}: the file's directory chain minus the recorded path; null when the
   * recorded path is not a tail of the file's path.
   */
  static Path searchPathFor(Path searchRoot, String ourPath, String recordedPath) {
    try {
      Path file = searchRoot.resolve(DatabaseChangeLog.normalizePath(ourPath)).normalize();
      Path recorded = Path.of(DatabaseChangeLog.normalizePath(recordedPath)).normalize();
      if (recorded.isAbsolute() || recorded.getNameCount() == 0 || !file.endsWith(recorded)) {
        return null;
      }
      Path root = file;
      for (int i = 0; i < recorded.getNameCount(); i++) {
        root = root.getParent();
      }
      return root;
    } catch (InvalidPathException | NullPointerException e) {
      return null;
    }
  }

  /** Whether one path is the other's tail, component by component ({@code changelog.xml}, {@code db/changelog.xml}). */
  static boolean sameFileFromAnotherRoot(String ours, String recorded) {
    String[] a = DatabaseChangeLog.normalizePath(ours).replaceAll("^/+", "").split("/");
    String[] b = DatabaseChangeLog.normalizePath(recorded).replaceAll("^/+", "").split("/");
    int n = Math.min(a.length, b.length);
    for (int i = 1; i <= n; i++) {
      if (!a[a.length - i].equalsIgnoreCase(b[b.length - i])) {
        return false;
      }
    }
    return n > 0 && a.length != b.length;
  }

  private static String key(String path, String id, String author) {
    return DatabaseChangeLog.normalizePath(path) + "::" + idAuthor(id, author);
  }

  /** Liquibase compares ids and authors ignoring case. */
  private static String idAuthor(String id, String author) {
    return (id == null ? "" : id.toLowerCase(Locale.ROOT)) + "::" + (author == null ? "" : author.toLowerCase(Locale.ROOT));
  }
}
