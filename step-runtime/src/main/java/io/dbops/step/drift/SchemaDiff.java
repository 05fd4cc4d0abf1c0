package io.dbops.step.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares an expected schema with the live one. Indexes and foreign keys are matched by what
 * they cover (columns, uniqueness, referenced table and columns) rather than by name, because
 * databases name unnamed constraints differently each time (H2); a same-named pair whose
 * definitions differ is reported as {@code changed}.
 */
public final class SchemaDiff {
  private SchemaDiff() {}

  public static List<Difference> compare(SchemaSnapshot expected, SchemaSnapshot actual) {
    List<Difference> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(expected.tables().keySet());
    names.addAll(actual.tables().keySet());
    for (String name : names) {
      SchemaSnapshot.Table e = expected.tables().get(name);
      SchemaSnapshot.Table a = actual.tables().get(name);
      if (a == null) {
        out.add(new Difference("missing", e.type().toLowerCase(java.util.Locale.ROOT), e.name(), e.name(),
            e.columns().size() + " column(s)", ""));
      } else if (e == null) {
        out.add(new Difference("extra", a.type().toLowerCase(java.util.Locale.ROOT), a.name(), a.name(), "",
            a.columns().size() + " column(s)"));
      } else {
        compareTable(e, a, out);
      }
    }
    compareSequences(expected, actual, out);
    return out;
  }

  private static void compareSequences(SchemaSnapshot expected, SchemaSnapshot actual, List<Difference> out) {
    TreeSet<String> names = new TreeSet<>(expected.sequences().keySet());
    names.addAll(actual.sequences().keySet());
    for (String name : names) {
      SchemaSnapshot.Sequence e = expected.sequences().get(name);
      SchemaSnapshot.Sequence a = actual.sequences().get(name);
      if (a == null) {
        out.add(new Difference("missing", "sequence", e.name(), e.name(), e.definition(), ""));
      } else if (e == null) {
        out.add(new Difference("extra", "sequence", a.name(), a.name(), "", a.definition()));
      } else if (!e.definition().equals(a.definition())) {
        out.add(new Difference("changed", "sequence", a.name(), a.name(), e.definition(), a.definition()));
      }
    }
  }

  private static void compareTable(SchemaSnapshot.Table e, SchemaSnapshot.Table a, List<Difference> out) {
    String t = a.name();
    TreeSet<String> columns = new TreeSet<>(e.columns().keySet());
    columns.addAll(a.columns().keySet());
    for (String c : columns) {
      SchemaSnapshot.Column ec = e.columns().get(c);
      SchemaSnapshot.Column ac = a.columns().get(c);
      if (ac == null) {
        out.add(new Difference("missing", "column", t, ec.name(), ec.describe(), ""));
      } else if (ec == null) {
        out.add(new Difference("extra", "column", t, ac.name(), "", ac.describe()));
      } else if (!ec.type().equals(ac.type()) || ec.nullable() != ac.nullable()
          || !Objects.equals(ec.defaultValue(), ac.defaultValue())) {
        out.add(new Difference("changed", "column", t, ac.name(), ec.describe(), ac.describe()));
      }
    }
    if (!e.primaryKey().equals(a.primaryKey())) {
      String exp = e.primaryKey().isEmpty() ? "" : "(" + String.join(", ", e.primaryKey()) + ")";
      String act = a.primaryKey().isEmpty() ? "" : "(" + String.join(", ", a.primaryKey()) + ")";
      String change = exp.isEmpty() ? "extra" : act.isEmpty() ? "missing" : "changed";
      out.add(new Difference(change, "primaryKey", t, "primary key", exp, act));
    }
    match(e.indexes(), a.indexes(), SchemaSnapshot.Index::name, SchemaSnapshot.Index::signature, "index", t, out);
    match(e.foreignKeys(), a.foreignKeys(), SchemaSnapshot.ForeignKey::name, SchemaSnapshot.ForeignKey::signature,
        "foreignKey", t, out);
  }

  private static <T> void match(List<T> expected, List<T> actual, java.util.function.Function<T, String> name,
      java.util.function.Function<T, String> signature, String type, String table, List<Difference> out) {
    Map<String, Integer> remaining = new HashMap<>();
    actual.forEach(x -> remaining.merge(signature.apply(x), 1, Integer::sum));
    List<T> missing = new ArrayList<>();
    for (T x : expected) {
      Integer n = remaining.get(signature.apply(x));
      if (n == null || n == 0) {
        missing.add(x);
      } else {
        remaining.put(signature.apply(x), n - 1);
      }
    }
    Map<String, Integer> expectedLeft = new HashMap<>();
    expected.forEach(x -> expectedLeft.merge(signature.apply(x), 1, Integer::sum));
    List<T> extra = new ArrayList<>();
    for (T x : actual) {
      Integer n = expectedLeft.get(signature.apply(x));
      if (n == null || n == 0) {
        extra.add(x);
      } else {
        expectedLeft.put(signature.apply(x), n - 1);
      }
    }
    for (T m : missing) {
      T sameName = extra.stream().filter(x -> name.apply(x).equalsIgnoreCase(name.apply(m))).findFirst().orElse(null);
      if (sameName != null) {
        extra.remove(sameName);
        out.add(new Difference("changed", type, table, name.apply(m), signature.apply(m), signature.apply(sameName)));
      } else {
        out.add(new Difference("missing", type, table, name.apply(m), signature.apply(m), ""));
      }
    }
    for (T x : extra) {
      out.add(new Difference("extra", type, table, name.apply(x), "", signature.apply(x)));
    }
    Objects.requireNonNull(out);
  }
}
