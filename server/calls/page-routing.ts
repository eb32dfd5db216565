/**
 * Routing on the page a browser caller is on: a queue's page rules turn the page the widget sent (its category and
 * URL) into what the ACD routes the call by besides the queue: extra skills, for how long, and added priority.
 */
import type { CallOptions } from '../../acd/types.ts';
import type { PageRule } from '../../db/schema.ts';

/** The first rule whose every condition the page meets; null for none (or no page: a phone caller). */
export function matchPageRule(rules: readonly PageRule[], page: Record<string, unknown> | null): PageRule | null {
  if (page === null || rules.length === 0) return null;
  const category = typeof page.category === 'string' ? page.category.toLowerCase() : null;
  const url = typeof page.url === 'string' ? page.url.toLowerCase() : null;
  for (const rule of rules) {
    const { category: wantCategory, urlContains } = rule.when;
    if (wantCategory !== undefined && category !== wantCategory.toLowerCase()) continue;
    if (urlContains !== undefined && (url === null || !url.includes(urlContains.toLowerCase()))) continue;
    return rule;
  }
  return null;
}

/** What a matching rule adds to the call's routing options (nothing without a match). */
export function pageRouting(rules: readonly PageRule[], page: Record<string, unknown> | null): Pick<CallOptions, 'skills' | 'skillsSeconds' | 'priority'> {
  const rule = matchPageRule(rules, page);
  if (rule === null) return {};
  const skills = rule.skills !== undefined && Object.keys(rule.skills).length > 0 ? rule.skills : undefined;
  return {
    ...(skills !== undefined ? { skills } : {}),
    ...(skills !== undefined && rule.forSeconds != null ? { skillsSeconds: rule.forSeconds } : {}),
    ...(rule.priority ? { priority: rule.priority } : {}),
  };
}
