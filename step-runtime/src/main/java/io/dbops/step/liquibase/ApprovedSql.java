package io.dbops.step.liquibase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;

/**
 * The SQL hash that binds an approval to what it showed (docs/steps.md "The SQL hash"). A PREVIEW
 * outputs {@code sqlHash}; an APPLY given that hash renders the pending SQL again and refuses,
 * before anything runs, when it hashes otherwise.
 *
 * <p>The rule: for each pending changeset in order, its name ({@code file::id::author}) and the
 * SQL its changes generate for this database, each statement followed by {@code ;}; line endings
 * as {@code \n}, trailing blanks and empty lines removed. Liquibase's bookkeeping (the history row
 * with its timestamp, order, deployment id and checksum, the lock statements, the script header
 * with its "Ran at" time) is not part of it: it is not the changesets' SQL, and it changes on
 * every run. Each changeset's text is hashed (SHA-256, hex) and the sqlHash is the SHA-256 of the
 * lines {@code <changeset hash> <name>}. Pure apart from the SQL generation; thread-safe.
 */
final class ApprovedSql {
  private ApprovedSql() {}

  /** One pending changeset: its name and the SHA-256 of its normalised SQL. */
  record Entry(String name, String hash) {}

  /** The entries of the pending changesets, in order. */
  static List<Entry> entries(List<ChangeSet> pending, Database database) {
    List<Entry> entries = new ArrayList<>();
    for (ChangeSet cs : pending) {
      StringBuilder sql = new StringBuilder();
      for (Change change : cs.getChanges()) {
        for (Sql s : SqlGeneratorFactory.getInstance().generateSql(change, database)) {
          sql.append(s.toSql()).append(";\n");
        }
      }
      entries.add(new Entry(ChangeSetTracker.name(cs), sha256(normalise(sql.toString()))));
    }
    return entries;
  }

  /** Line endings as \n, trailing blanks and empty lines removed. */
  static String normalise(String sql) {
    StringBuilder out = new StringBuilder();
    for (String line : sql.replace("\r\n", "\n").replace('\r', '\n').split("\n")) {
      String trimmed = line.stripTrailing();
      if (!trimmed.isEmpty()) {
        out.append(trimmed).append('\n');
      }
    }
    return out.toString();
  }

  /** {@code <hash> <name>} per entry, one a line: what the sqlHash is computed over. */
  static String manifest(List<Entry> entries) {
    StringBuilder sb = new StringBuilder();
    entries.forEach(e -> sb.append(e.hash()).append(' ').append(e.name()).append('\n'));
    return sb.toString();
  }

  /** The sqlHash of these entries. */
  static String hash(List<Entry> entries) {
    return sha256(manifest(entries));
  }

  /**
   * Null when {@code entries} hash to {@code approved}; otherwise the refusal, naming what changed.
   * Which changesets appeared is found when the approved ones are still pending unchanged (one or
   * more appended at the end, or one inserted anywhere); otherwise every pending changeset is
   * named as changed or new, since the approval recorded only the hash of the whole.
   */
  static String refusal(String approved, List<Entry> entries) {
    if (approved.equalsIgnoreCase(hash(entries))) {
      return null;
    }
    String prefix = "The pending SQL differs from the SQL approved (sqlHash " + abbreviate(approved)
        + ", now " + abbreviate(hash(entries)) + "): ";
    String suffix = ". Nothing was applied and no tag was recorded; run the pipeline again to preview and"
        + " approve the SQL as it is now.";
    if (entries.isEmpty()) {
      return prefix + "no changeset is pending any more (someone applied them meanwhile)" + suffix;
    }
    for (int k = entries.size() - 1; k >= 0; k--) {
      if (approved.equalsIgnoreCase(hash(entries.subList(0, k)))) {
        return prefix + "changeset(s) appeared since the approval: "
            + names(entries.subList(k, entries.size())) + suffix;
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      List<Entry> without = new ArrayList<>(entries);
      Entry added = without.remove(i);
      if (approved.equalsIgnoreCase(hash(without))) {
        return prefix + "changeset appeared since the approval: " + added.name() + suffix;
      }
    }
    return prefix + "the SQL of one or more of these pending changesets changed or they are new: "
        + names(entries) + suffix;
  }

  private static String names(List<Entry> entries) {
    return String.join(", ", entries.stream().map(Entry::name).toList());
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) + "..." : hash;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
