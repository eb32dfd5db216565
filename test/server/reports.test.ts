import { expect, it } from 'vitest';
import { csvField } from '../../server/routes/supervision.ts';

it('CSV fields are quoted when they must be, and a queue name that a spreadsheet would run as a formula is not one', () => {
  expect(csvField('sales')).toBe('sales');
  expect(csvField(12.5)).toBe('12.5');
  expect(csvField(-3)).toBe('-3');
  expect(csvField(null)).toBe('');
  expect(csvField('a,b')).toBe('"a,b"');
  expect(csvField('say "hi"')).toBe('"say ""hi"""');
  expect(csvField('two\nlines')).toBe('"two\nlines"');
  expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  expect(csvField('+1')).toBe("'+1");
  expect(csvField('@sum')).toBe("'@sum");
});
