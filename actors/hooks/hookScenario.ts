// The scenario gate of a hook rule (notes §8.2, the reference's `scenario_allows`): a rule that
// names a scenario fires only while the epoch's metrics (0–100 scores) show it. "any" always
// passes.
import type { EpochMetrics } from '../store/epochMetrics.ts';
import type { HookScenario } from './hookRule.ts';

export function scenarioAllows(scenario: HookScenario, m: EpochMetrics): boolean {
  switch (scenario) {
    case 'any':
      return true;
    case 'cognitive':
      return m.cognitive_load >= 55 || m.engagement >= 60;
    case 'emotional':
      return m.stress_index >= 55 || m.mood <= 45 || m.relaxation <= 35;
    case 'physical':
      return m.drowsiness >= 55 || m.headache_index >= 45 || m.migraine_index >= 45 || (m.hr > 0 && (m.hr >= 105 || m.hr <= 52));
  }
}
