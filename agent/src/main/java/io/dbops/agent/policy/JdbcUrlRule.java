package io.dbops.agent.policy;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rule "JDBC URLs": what a step's JDBC URL may name.
 *
 * <ul>
 *   <li>Drivers: PostgreSQL, MariaDB, MySQL and H2 only.
 *   <li>Properties: a built-in safe list per driver, plus {@code DBOPS_ALLOW_JDBC_PROPERTIES}
 *       ({@code driver:name} items). A hard-coded list of properties that load classes, run code,
 *       read or write files or set arbitrary server settings is refused first, whatever the setting.
 *   <li>Hosts: every host of the URL (and of H2 {@code tcp:}/{@code ssl:} URLs) passes {@link HostRule}.
 *   <li>H2 files: only under {@code DBOPS_ALLOW_H2_DIR} (unset: none); {@code jdbc:h2:mem:} always.
 * </ul>
 * Names compare case-insensitively. Thread-safe.
 */
final class JdbcUrlRule {
  static final String PROPERTIES_SETTING = "DBOPS_ALLOW_JDBC_PROPERTIES";
  static final String H2_DIR_SETTING = "DBOPS_ALLOW_H2_DIR";
  static final Map<String, Set<String>> SAFE = Map.of(
      "postgresql", lower("ssl", "sslmode", "sslrootcert", "connectTimeout", "socketTimeout", "loginTimeout",
          "ApplicationName", "currentSchema", "targetServerType", "tcpKeepAlive"),
      "mariadb", lower("sslMode", "serverSslCert", "connectTimeout", "socketTimeout"),
      "mysql", lower("sslMode", "serverSslCert", "connectTimeout", "socketTimeout"),
      "h2", lower("MODE", "DB_CLOSE_DELAY", "DATABASE_TO_UPPER", "DATABASE_TO_LOWER", "CASE_INSENSITIVE_IDENTIFIERS",
          "NON_KEYWORDS"));
  private static final Set<String> MYSQL_NEVER = lower("allowLoadLocalInfile", "allowLocalInfile",
      "allowUrlInLocalInfile", "sessionVariables", "socketFactory", "credentialType", "autoDeserialize",
      "queryInterceptors", "statementInterceptors", "exceptionInterceptors", "connectionLifecycleInterceptors",
      "authenticationPlugins", "defaultAuthenticationPlugin", "propertiesTransform", "localSocket", "pipe",
      "initSql", "restrictedAuth", "codecs", "clientCertificateKeyStoreUrl", "trustCertificateKeyStoreUrl",
      "keyStore", "trustStore");
  static final Map<String, Set<String>> NEVER = Map.of(
      "postgresql", lower("socketFactory", "socketFactoryArg", "sslfactory", "sslfactoryarg", "sslhostnameverifier",
          "sslpasswordcallback", "authenticationPluginClassName", "loggerFile", "options", "PGHOST", "PGPORT",
          "service", "jaasApplicationName", "gsslib"),
      "mariadb", MYSQL_NEVER,
      "mysql", MYSQL_NEVER,
      "h2", lower("INIT", "TRACE_LEVEL_FILE", "DATABASE_EVENT_LISTENER", "JAVA_OBJECT_SERIALIZER", "AUTHENTICATOR", "AUTHREALM", "CREDENTIALS_VALIDATOR", "USER_CLASS", "RECOVER",
          "ACCESS_MODE_DATA", "FILE_LOCK", "CIPHER", "BUILTIN_ALIAS_OVERRIDE", "TRACE_MAX_FILE_SIZE",
          "PAGE_STORE"));

  private final HostRule hosts;
  private final Map<String, Set<String>> extra;
  private final Path h2Dir;

  /**
   * @param extra allowed properties per driver from {@code DBOPS_ALLOW_JDBC_PROPERTIES}, in lower case
   * @param h2Dir the directory of H2 file databases ({@code DBOPS_ALLOW_H2_DIR}), or null for none
   */
  JdbcUrlRule(HostRule hosts, Map<String, Set<String>> extra, Path h2Dir) {
    this.hosts = hosts;
    this.extra = Map.copyOf(extra);
    this.h2Dir = h2Dir;
  }

  void check(String jdbcUrl) throws PolicyRefusal {
    JdbcUrl url = JdbcUrl.parse(jdbcUrl);
    for (String name : url.properties().keySet()) {
      String key = name.toLowerCase(Locale.ROOT);
      if (NEVER.get(url.driver()).contains(key)) {
        throw PolicyRefusal.never("JDBC URL property " + name + " of " + url.driver(), "JDBC properties",
            "it loads classes, runs code, touches files or changes server settings, so no setting allows it");
      }
      if (!SAFE.get(url.driver()).contains(key) && !extra.getOrDefault(url.driver(), Set.of()).contains(key)) {
        throw PolicyRefusal.refused("JDBC URL property " + name + " of " + url.driver(), "JDBC properties",
            url.driver() + ":" + name, PROPERTIES_SETTING);
      }
    }
    for (JdbcUrl.Host host : url.hosts()) {
      hosts.check("Database host", host.host(), host.port());
    }
    if (url.h2Path() != null) {
      checkH2File(url.h2Path());
    }
  }

  private void checkH2File(String written) throws PolicyRefusal {
    String what = "H2 file database " + written;
    if (h2Dir == null) {
      throw PolicyRefusal.refused(what, "H2 files", "a directory holding it", H2_DIR_SETTING
          + " (one absolute directory; jdbc:h2:mem: needs nothing)");
    }
    Path path;
    try {
      String expanded = written.startsWith("~") ? System.getProperty("user.home") + written.substring(1) : written;
      path = Path.of(expanded).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new PolicyRefusal(what + " is not a valid path (rule: H2 files)");
    }
    Path real = RealPaths.ofExistingPart(path);
    Path dir = RealPaths.ofExistingPart(h2Dir.toAbsolutePath().normalize());
    if (!real.startsWith(dir) || real.equals(dir)) {
      throw new PolicyRefusal(what + " is not allowed: it is outside " + H2_DIR_SETTING + " (" + h2Dir
          + ") (rule: H2 files; to allow it set " + H2_DIR_SETTING + " to a directory holding it on the delegate)");
    }
  }

  /** Parses {@code driver:name} items of {@code DBOPS_ALLOW_JDBC_PROPERTIES}. */
  static Map<String, Set<String>> extra(List<String> items) {
    for (String item : items) {
      int colon = item.indexOf(':');
      if (colon <= 0 || !SAFE.containsKey(item.substring(0, colon).toLowerCase(Locale.ROOT))
          || colon == item.length() - 1) {
        throw new IllegalArgumentException("'" + item + "' is not driver:property with driver one of "
            + String.join(", ", new java.util.TreeSet<>(SAFE.keySet())));
      }
    }
    return items.stream().collect(Collectors.groupingBy(i -> i.substring(0, i.indexOf(':')).toLowerCase(Locale.ROOT),
        Collectors.mapping(i -> i.substring(i.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT), Collectors.toSet())));
  }

  private static Set<String> lower(String... names) {
    return java.util.Arrays.stream(names).map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }
}
