package io.dbops.agent.runtime.kubernetes;

import io.dbops.protocol.InitStagePayload.Resources;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The requests and limits of a step container that runs several steps one after another. Each
 * step asks for its own ({@code pod.stepResources[i]} of the task, else the runtime's default);
 * as only one of them runs at a time, the container needs what the largest of them needs, value by
 * value: the largest request, and the largest limit, where a step without a limit means no limit
 * on the container. (The pod's total is then the lite engine's plus one such sum term per
 * container, instead of one per step.) Pure.
 */
final class StepContainerResources {
  private StepContainerResources() {}

  /**
   * @param stepResources the task's resources of each step, in step order (missing or null
   *     entries take {@code defaults})
   * @param steps the steps (from 0) the container runs
   */
  static Resources of(List<Resources> stepResources, List<Integer> steps, Resources defaults) {
    List<Resources> own = new ArrayList<>();
    for (int step : steps) {
      own.add(step < stepResources.size() && stepResources.get(step) != null ? stepResources.get(step) : defaults);
    }
    if (own.size() == 1) {
      return own.get(0);
    }
    return new Resources(largestRequest(own, Resources::cpuRequest), largestRequest(own, Resources::memoryRequest),
        largestLimit(own, Resources::cpuLimit), largestLimit(own, Resources::memoryLimit));
  }

  /** The largest value; null (nothing requested) when no step requests any. */
  private static String largestRequest(List<Resources> all, Function<Resources, String> field) {
    String largest = null;
    for (Resources r : all) {
      largest = larger(largest, field.apply(r));
    }
    return largest;
  }

  /** The largest value; null (no limit) when any step has no limit. */
  private static String largestLimit(List<Resources> all, Function<Resources, String> field) {
    String largest = null;
    for (Resources r : all) {
      String value = field.apply(r);
      if (value == null) {
        return null;
      }
      largest = larger(largest, value);
    }
    return largest;
  }

  private static String larger(String a, String b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return amount(b).compareTo(amount(a)) > 0 ? b : a;
  }

  private static BigDecimal amount(String quantity) {
    return Quantity.getAmountInBytes(new Quantity(quantity));
  }
}
