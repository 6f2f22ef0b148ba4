import { describe, expect, it } from 'vitest';
import { evenlySpaced, headAndTail, joinWithinBudget, table } from '../../src/report/markdown';

describe('table', () => {
  it('builds a GFM table with alignment', () => {
    expect(table(['a', 'b'], [['1', '2']], ['l', 'r'])).toBe('| a | b |\n| --- | ---: |\n| 1 | 2 |');
  });
});

describe('headAndTail', () => {
  it('keeps both ends of a long list', () => {
    expect(headAndTail([1, 2, 3, 4, 5, 6], 2, 1)).toEqual({ head: [1, 2], omitted: 3, tail: [6] });
    expect(headAndTail([1, 2, 3], 2, 1)).toEqual({ head: [1, 2, 3], omitted: 0, tail: [] });
  });
});

describe('evenlySpaced', () => {
  it('keeps the first and last and spreads the rest', () => {
    expect(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toEqual([0, 5, 10]);
    expect(evenlySpaced([0, 1, 2], 5)).toEqual([0, 1, 2]);
    expect(
      evenlySpaced(
        Array.from({ length: 10_000 }, (_, i) => i),
        60,
      ),
    ).toHaveLength(60);
  });
});

describe('joinWithinBudget', () => {
  it('replaces a section that does not fit with a note and keeps the later ones', () => {
    const text = joinWithinBudget(
      [
        { name: 'A', text: 'first' },
        { name: 'B', text: 'x'.repeat(2000) },
        { name: 'C', text: null },
        { name: 'D', text: 'last' },
      ],
      1500,
    );
    expect(text).toBe('first\n\n_B omitted: the summary would exceed 1 KiB._\n\nlast\n');
  });

  it('keeps everything that fits', () => {
    expect(
      joinWithinBudget(
        [
          { name: 'A', text: 'a' },
          { name: 'B', text: 'b' },
        ],
        10_000,
      ),
    ).toBe('a\n\nb\n');
  });
});
