/**
 * src/main.ts with the core stubbed, as actions/typescript-action tests its
 * main: @actions/core and the pipeline are mocks, so these check only the
 * wiring (inputs in, outputs and the job's status out).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipelineResult } from '../src/pipeline/run';
import { OUTPUT_NAMES } from '../src/pipeline/outcome';
import { failReport, passReport } from './report/fixtures';

const core = vi.hoisted(() => {
  const summary = { addRaw: vi.fn(), write: vi.fn(async () => undefined) };
  summary.addRaw.mockReturnValue(summary);
  return {
    inputs: {} as Record<string, string>,
    getInput: vi.fn((name: string) => core.inputs[name] ?? ''),
    setOutput: vi.fn(),
    setFailed: vi.fn(),
    setSecret: vi.fn(),
    warning: vi.fn(),
    notice: vi.fn(),
    info: vi.fn(),
    debug: vi.fn(),
    group: vi.fn(async (_title: string, fn: () => Promise<unknown>) => fn()),
    summary,
  };
});
vi.mock('@actions/core', () => core);

const pipeline = vi.hoisted(() => ({ runPipeline: vi.fn<() => Promise<PipelineResult>>() }));
vi.mock('../src/pipeline/run', () => pipeline);
vi.mock('../src/pipeline/github-port', () => ({ gitHubPort: vi.fn(async () => ({ listCommits: null, pushBefore: null, dispatchRollback: null })) }));

const { run } = await import('../src/main');

const INPUTS = { 'sentry-auth-token': 'sntryu_main_test_Zq8Wx3Lm9Kp2', 'sentry-org': 'acme', 'sentry-projects': 'shop-web', release: 'shop-web@2.0.0' };
const result = (report: PipelineResult['report']): PipelineResult => ({
  report,
  previousRelease: null,
  releaseUrl: 'https://sentry.example/r',
  registration: null,
});
const outputs = () => Object.fromEntries(core.setOutput.mock.calls.map(([k, v]) => [k, v]));

describe('main (core stubbed)', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    core.summary.addRaw.mockReturnValue(core.summary);
    core.inputs = { ...INPUTS };
    vi.stubEnv('RUNNER_TEMP', mkdtempSync(join(tmpdir(), 'rhg-main-')));
    process.exitCode = undefined;
  });
  afterEach(() => vi.unstubAllEnvs());

  it('a fail sets every output once and fails the job with the alert', async () => {
    pipeline.runPipeline.mockResolvedValue(result(failReport()));
    await run();
    expect(core.setOutput.mock.calls.map(([k]) => k)).toEqual([...OUTPUT_NAMES]);
    expect(outputs()).toMatchObject({ verdict: 'fail', healthy: 'false', release: 'shop-web@2.0.0' });
    expect(core.setFailed).toHaveBeenCalledTimes(1);
    expect(core.setFailed.mock.calls[0]![0]).toMatch(/after deploy/);
    expect(core.summary.write).toHaveBeenCalledTimes(1);
    expect(core.setSecret).toHaveBeenCalledWith(INPUTS['sentry-auth-token']);
  });

  it('a pass sets the outputs and a notice, and does not fail the job', async () => {
    pipeline.runPipeline.mockResolvedValue(result(passReport()));
    await run();
    expect(outputs()).toMatchObject({ verdict: 'pass', healthy: 'true' });
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.notice).toHaveBeenCalledTimes(1);
  });

  it('gate false: outputs say skipped, nothing is written to the summary', async () => {
    core.inputs.gate = 'false';
    pipeline.runPipeline.mockResolvedValue(result(null));
    await run();
    expect(outputs()).toMatchObject({ verdict: 'skipped', healthy: 'true', 'report-path': '' });
    expect(core.summary.write).not.toHaveBeenCalled();
  });

  it('a bad input fails the job with one line naming it, and the pipeline never runs', async () => {
    core.inputs['notify-on'] = 'always';
    await run();
    expect(pipeline.runPipeline).not.toHaveBeenCalled();
    expect(core.setFailed).toHaveBeenCalledWith('Input notify-on ("always"): "always" is not a verdict: expected a list of fail, inconclusive, pass (or none)');
  });

  it('registers every notifier secret with the runner', async () => {
    Object.assign(core.inputs, {
      'pagerduty-routing-key': 'R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E',
      'slack-webhook-url': 'https://hooks.slack.example/services/T0/B0/q8Xw2mKz7RtY',
      'alertmanager-headers': 'Authorization: Bearer am_Zq8Wx3Lm9Kp2',
    });
    pipeline.runPipeline.mockResolvedValue(result(null));
    await run();
    const masked = core.setSecret.mock.calls.map(([s]) => s);
    expect(masked).toEqual(expect.arrayContaining(['R0a9Kq7Wm3Zx8Lp2Vd6Nf4Hy1Tj5Bc7E', 'T0/B0/q8Xw2mKz7RtY', 'Bearer am_Zq8Wx3Lm9Kp2', 'am_Zq8Wx3Lm9Kp2']));
  });

  it('an error from the pipeline fails the job, redacted', async () => {
    pipeline.runPipeline.mockRejectedValue(new Error(`Sentry refused ${INPUTS['sentry-auth-token']}`));
    await run();
    expect(core.setFailed).toHaveBeenCalledWith('Sentry refused ***');
  });
});
