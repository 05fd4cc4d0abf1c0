package io.dbops.step.history;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Objects;

/**
 * One row of DATABASECHANGELOG: a changeset the database recorded as run. Immutable; serialised
 * as an element of HISTORY's {@code history} output.
 *
 * @param file the changelog path as Liquibase recorded it
 * @param dateExecuted when it ran, as stored: the database server's local time without a zone,
 *     ISO-8601 to the millisecond ({@code 2026-11-24T16:24:00.123}); empty when not recorded
 * @param orderExecuted Liquibase's ORDEREXECUTED (increases by one per changeset)
 * @param execType EXECUTED, RERAN, MARK_RAN, SKIPPED or FAILED
 * @param tag the tag on this row; empty when none
 * @param deploymentId the id shared by all changesets of one Liquibase run; empty when none
 * @param checksum the stored checksum ({@code 9:...}); empty when none
 */
public record HistoryEntry(String id, String author, String file, String dateExecuted, int orderExecuted,
    String execType, String tag, String deploymentId, String checksum) {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

  public HistoryEntry {
    Objects.requireNonNull(id, "id");
    author = nullToEmpty(author);
    file = nullToEmpty(file);
    dateExecuted = nullToEmpty(dateExecuted);
    execType = nullToEmpty(execType);
    tag = nullToEmpty(tag);
    deploymentId = nullToEmpty(deploymentId);
    checksum = nullToEmpty(checksum);
  }

  /** "file::id::author", the way Liquibase names a changeset. */
  public String name() {
    return file + "::" + id + "::" + author;
  }

  /** A DATEEXECUTED value as stored (JDBC hands it over in the JVM's zone; this undoes that). */
  public static String formatDate(Date date) {
    if (date == null) {
      return "";
    }
    LocalDateTime local = date instanceof Timestamp t ? t.toLocalDateTime()
        : LocalDateTime.ofInstant(date.toInstant(), ZoneId.systemDefault());
    return DATE.format(local);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
