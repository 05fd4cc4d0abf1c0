package io.dbops.liteengine.dispatch;

import io.dbops.proto.v1.StepResult;
import io.dbops.secrets.Masker;
import java.util.Map;

/**
 * Masks the text of a step's result before the lite engine returns it to the delegate: the error
 * and the output values (the {@code sql} output of a preview can hold a value substituted from a
 * changelog parameter). Changeset records hold identifiers and counts only and pass unchanged.
 * Immutable.
 */
public final class ResultMasker {
  public static final ResultMasker NONE = new ResultMasker(Masker.NONE);

  private final Masker masker;

  public ResultMasker(Masker masker) {
    this.masker = masker;
  }

  /** The result with every secret form masked; the same instance when nothing needs masking. */
  public StepResult mask(StepResult result) {
    if (masker.isEmpty()) {
      return result;
    }
    StepResult.Builder masked = result.toBuilder()
        .setError(masker.apply(result.getError()))
        .clearOutputs();
    for (Map.Entry<String, String> output : result.getOutputsMap().entrySet()) {
      masked.putOutputs(output.getKey(), masker.apply(output.getValue()));
    }
    return masked.build();
  }
}
