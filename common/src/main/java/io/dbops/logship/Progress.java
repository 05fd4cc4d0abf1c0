package io.dbops.logship;

/**
 * How far a step that runs changesets has come: "changeset {@code done} of {@code total}".
 *
 * @param done changesets started so far, including the one running now; from 1
 * @param total changesets the step will run; 0 when unknown
 * @param item the changeset running now, for example {@code db/orders.xml::3::alice}; may be empty
 */
public record Progress(int done, int total, String item) {
  public Progress {
    if (done < 0 || total < 0) {
      throw new IllegalArgumentException("Progress counts must not be negative: " + done + " of " + total);
    }
    item = item == null ? "" : item;
  }

  /** For example "changeset 3 of 10" or "changeset 3" when the total is unknown. */
  public String describe() {
    return "changeset " + done + (total > 0 ? " of " + total : "");
  }
}
