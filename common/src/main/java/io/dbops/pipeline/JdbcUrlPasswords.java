package io.dbops.pipeline;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a password written into a JDBC URL, in any driver's syntax: user info in the authority
 * ({@code //user:secret@host}, Oracle's {@code user/secret@host}) and properties whose name holds
 * "password" or is "pwd" ({@code ?password=}, {@code &password=}, H2's {@code ;PASSWORD=} and
 * {@code ;FILE_PASSWORD=}, {@code sslpassword=}, {@code trustStorePassword=}, DB2's
 * {@code :password=}, SQL Server's {@code ;pwd=}), case-insensitive. Reports only where the
 * password is, never its value. Pure; thread-safe.
 */
public final class JdbcUrlPasswords {
  private static final Pattern USER_INFO = Pattern.compile("//[^/?#;@\\s]*:[^/?#;@\\s]*@");
  private static final Pattern ORACLE = Pattern.compile("(?i)^jdbc:oracle:[a-z0-9]+:[^@/:\\s]+/[^@\\s]+@");
  private static final Pattern PROPERTY =
      Pattern.compile("(?i)[?&;:(]\\s*([a-z0-9_.-]*password[0-9]?|pwd)\\s*=");

  private JdbcUrlPasswords() {}

  /** Where a password is written in {@code url} ("the user info", "the property 'password'"), if anywhere. */
  public static Optional<String> find(String url) {
    if (url == null) {
      return Optional.empty();
    }
    if (USER_INFO.matcher(url).find() || ORACLE.matcher(url).find()) {
      return Optional.of("the user info (user:password@)");
    }
    Matcher m = PROPERTY.matcher(url);
    if (m.find()) {
      return Optional.of("the property '" + m.group(1).toLowerCase(Locale.ROOT) + "'");
    }
    return Optional.empty();
  }
}
