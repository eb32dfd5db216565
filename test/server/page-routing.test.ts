import { describe, expect, it } from 'vitest';
import type { PageRule } from '../../db/schema.ts';
import { routingOptions } from '../../server/calls/customer-call.ts';
import { matchPageRule, pageRouting } from '../../server/calls/page-routing.ts';

const rules: PageRule[] = [
  { when: { category: 'Laptops', urlContains: '/outlet/' }, priority: 1 },
  { when: { category: 'laptops' }, skills: { laptops: 3 }, forSeconds: 30 },
  { when: { urlContains: '/CHECKOUT' }, priority: 5 },
  { when: { category: 'tents' }, skills: { outdoor: 2 } },
];

describe('routing on the page a browser caller is on', () => {
  it("takes the first rule whose every condition the page meets, case aside", () => {
    expect(matchPageRule(rules, { url: 'https://shop.example/laptops/x1', category: 'LAPTOPS' })).toBe(rules[1]);
    expect(matchPageRule(rules, { url: 'https://shop.example/outlet/x1', category: 'laptops' })).toBe(rules[0]);
    expect(matchPageRule(rules, { url: 'https://shop.example/checkout?step=2', category: 'tents' })).toBe(rules[2]);
    expect(matchPageRule(rules, { url: 'https://shop.example/tents/taiga', category: 'tents' })).toBe(rules[3]);
    expect(matchPageRule(rules, { url: 'https://shop.example/', category: 'phones' })).toBeNull();
    // a page without the field a rule asks about does not meet it; a phone caller has no page
    expect(matchPageRule(rules, { category: 'kayaks' })).toBeNull();
    expect(matchPageRule(rules, null)).toBeNull();
    expect(matchPageRule([], { category: 'laptops' })).toBeNull();
  });

  it('turns the rule into skills (for a while, or as long as the call waits) and priority', () => {
    expect(pageRouting(rules, { url: 'https://shop.example/laptops/x1', category: 'laptops' })).toEqual({ skills: { laptops: 3 }, skillsSeconds: 30 });
    expect(pageRouting(rules, { url: 'https://shop.example/tents/taiga', category: 'tents' })).toEqual({ skills: { outdoor: 2 } });
    expect(pageRouting(rules, { url: 'https://shop.example/checkout', category: 'x' })).toEqual({ priority: 5 });
    expect(pageRouting(rules, { url: 'https://shop.example/' })).toEqual({});
    // the call's options: language and context as before, plus what the queue's rules make of the page
    const page = { url: 'https://shop.example/laptops/x1', category: 'laptops' };
    expect(routingOptions({ language: 'et', page, customerId: 'c-1' }, { pageRules: rules })).toEqual({
      language: 'et', skills: { laptops: 3 }, skillsSeconds: 30, context: { page, customerId: 'c-1' },
    });
    expect(routingOptions({ language: null, page, customerId: null }, { pageRules: [] })).toEqual({ context: { page, customerId: null } });
  });
});
