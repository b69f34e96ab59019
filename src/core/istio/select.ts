// Which policies apply to which pods (reference §3): a policy applies to pods of its own
// namespace, or of every namespace when it lives in the root namespace; a selector narrows
// it to pods whose labels contain all of matchLabels; no selector means all of them.
import type { Pod, Telemetry } from './model.js';

export interface Selectable {
  namespace: string;
  selector?: Record<string, string>;
  workloadSelector?: Record<string, string>;
  hasTargetRefs?: boolean;
}

export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function appliesTo(policy: Selectable, pod: Pod, rootNamespace: string): boolean {
  const selector = policy.selector ?? policy.workloadSelector;
  // targetRefs without a selector attach to gateways/waypoints, not to sidecars.
  if (policy.hasTargetRefs && selector === undefined) return false;
  if (policy.namespace !== pod.namespace && policy.namespace !== rootNamespace) return false;
  return selector === undefined || labelsMatch(selector, pod.labels);
}

export function podsSelectedBy(policy: Selectable, pods: readonly Pod[], rootNamespace: string): Pod[] {
  return pods.filter((p) => appliesTo(policy, p, rootNamespace));
}

/**
 * Access logging for a pod from Telemetry resources: the most specific resource with an
 * accessLogging stanza wins (workload selector > namespace > root namespace).
 * undefined: no Telemetry says anything (logging then depends on meshConfig).
 */
export function accessLoggingFor(pod: Pod, telemetries: readonly Telemetry[], rootNamespace: string): { enabled: boolean; by: Telemetry } | undefined {
  const rank = (t: Telemetry) => (t.namespace === pod.namespace ? (t.selector ? 3 : 2) : 1);
  const candidates = telemetries
    .filter((t) => t.accessLogging !== undefined && appliesTo(t, pod, rootNamespace))
    .sort((a, b) => rank(b) - rank(a));
  const best = candidates[0];
  return best ? { enabled: best.accessLogging!, by: best } : undefined;
}
