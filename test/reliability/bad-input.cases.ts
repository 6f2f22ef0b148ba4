import { describe, expect, it } from 'vitest';
import { BAD_INPUTS } from './bad-input';
import { SENTRY_TOKEN, STACK_FRAME, gate } from './harness';

const THROUGH_THE_ACTION = ['interval longer than window', 'ftp sentry-url', 'missing org'];

describe.concurrent('bad configuration through the bundled action', () => {
  it.each(BAD_INPUTS.filter((b) => THROUGH_THE_ACTION.includes(b.what)))(
    '$what: exit 1, one error annotation naming $input, no request, no stack trace',
    async ({ set, unset, input, allowed }) => {
      const inputs: Record<string, string> = { ...set };
      for (const name of unset ?? []) inputs[name] = '';
      const { run, tracker } = await gate('healthy', { inputs, env: { RUNNER_DEBUG: '1' } });
      expect(run.code).toBe(1);
      const errors = run.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(new RegExp(`^Input ${input}\\b`));
      expect(errors[0]!.message).toMatch(allowed);
      expect(errors[0]!.message.split('\n')).toHaveLength(1);
      expect(tracker.requests).toEqual([]);
      expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
      expect(run.everything).not.toContain(SENTRY_TOKEN);
      expect(run.outputs).toEqual({});
    },
  );

  it('several bad inputs: still one error annotation, one line per input', async () => {
    const { run, tracker } = await gate('healthy', { inputs: { window: 'soon', confidence: '0', 'set-commits': 'never' } });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message.split('\n').map((l) => l.split(/[ :(]/)[1])).toEqual(['set-commits', 'window', 'confidence']);
    expect(tracker.requests).toEqual([]);
  });
});
