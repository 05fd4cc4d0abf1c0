package io.dbops.logship;

/**
 * One line of a log stream as the log service stores it.
 *
 * @param seq position in its stream, from 1, without gaps
 * @param ts milliseconds since the Unix epoch
 * @param level DEBUG, INFO, WARN or ERROR
 * @param text the line without a trailing newline
 */
public record LogLine(long seq, long ts, String level, String text) {}
