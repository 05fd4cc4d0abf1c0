package io.dbops.agent.runtime;

import io.dbops.protocol.InitStagePayload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which step container of a build pod runs which step: one container per distinct image, and
 * the steps of one image run in it one after another (the warm step runtime keeps its parsed
 * changelogs and connection pools from step to step). Containers are numbered from 0 in the order
 * their image first appears among the steps; a step's image is {@code stepImages[i]} of the init
 * payload, else the pod's image. Pure and immutable.
 */
public final class StepContainerLayout {
  private final List<String> images;
  private final List<List<Integer>> steps;
  private final int[] containerOfStep;

  private StepContainerLayout(List<String> images, List<List<Integer>> steps, int[] containerOfStep) {
    this.images = images;
    this.steps = steps;
    this.containerOfStep = containerOfStep;
  }

  /**
   * The layout of {@code payload}'s steps ({@link InitStagePayload#stepContainers()} of them).
   *
   * @param podImage the image of a step the payload gives none for (the task's, else the delegate's)
   */
  public static StepContainerLayout of(InitStagePayload payload, String podImage) {
    int stepCount = payload.stepContainers();
    Map<String, Integer> byImage = new LinkedHashMap<>();
    List<List<Integer>> steps = new ArrayList<>();
    int[] containerOfStep = new int[stepCount];
    for (int i = 0; i < stepCount; i++) {
      String own = i < payload.stepImages().size() ? payload.stepImages().get(i) : null;
      String image = own == null || own.isBlank() ? podImage : own;
      Integer container = byImage.get(image);
      if (container == null) {
        container = byImage.size();
        byImage.put(image, container);
        steps.add(new ArrayList<>());
      }
      steps.get(container).add(i);
      containerOfStep[i] = container;
    }
    return new StepContainerLayout(java.util.Collections.unmodifiableList(new ArrayList<>(byImage.keySet())),
        steps.stream().map(List::copyOf).toList(), containerOfStep);
  }

  /** How many step containers the pod has. */
  public int containers() {
    return images.size();
  }

  /** The image of container {@code container} (from 0); null when the pod image was null. */
  public String image(int container) {
    return images.get(container);
  }

  /** The steps (indexes from 0, in step order) container {@code container} runs. */
  public List<Integer> steps(int container) {
    return steps.get(container);
  }

  /** The container (from 0) that runs step {@code step} (from 0). */
  public int containerOf(int step) {
    return containerOfStep[step];
  }

  /**
   * The port of each step, in step order ({@code InitStageOutput.stepPorts}): steps that share a
   * container share its port.
   *
   * @param containerPorts the port of each container, in container order
   */
  public List<Integer> stepPorts(List<Integer> containerPorts) {
    List<Integer> ports = new ArrayList<>(containerOfStep.length);
    for (int container : containerOfStep) {
      ports.add(containerPorts.get(container));
    }
    return List.copyOf(ports);
  }
}
