/**
 * `npm run demo` as a newcomer runs it: the tracker invents nothing, the shop app instrumented
 * with @sentry/node sends its sessions and errors to the tracker's DSN, and the gate's verdict
 * comes from what the SDK sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runCli } from './run-cli';

it('demo (the default) gates on what @sentry/node sent: the TypeError of 2.0.0 fails it and the rollback is printed', async () => {
  const run = await runCli(['demo'], {}, 90_000);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^Demo: scenario "sdk": A shop app instrumented with @sentry\/node/m);
  expect(run.stdout).toMatch(
    /^Once the deploy is recorded, shop-web@2\.0\.0 of examples\/demo-shop\/app\.cjs starts with SENTRY_DSN=http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/1001$/m,
  );
  expect(run.stdout).toMatch(/^\[00:\d\d\/00:40\] \d+ sessions, \d+ users · crash-free users /m);
  expect(run.stdout).toMatch(
    /^Verdict: FAIL: new issue SHOP-WEB-\w+ "TypeError: Cannot read properties of undefined \(reading 'map'\)" affects \d+ users, more than the 5 allowed/m,
  );
  expect(run.stdout).toMatch(/^Value: +SHOP-WEB-\w+ "TypeError: Cannot read properties of undefined \(reading 'map'\)" at app in renderCart \(shop-web\)/m);
  expect(run.stdout).toMatch(/^\(demo\) POST \/repos\/acme\/shop\/actions\/workflows\/rollback\.yml\/dispatches .*"previous-release":"shop-web@1\.4\.0"/m);
  const sent = /^What @sentry\/node sent to the DSN by then: (\d+) envelopes \(items: session (\d+), event (\d+)\); the gate read nothing else\.$/m.exec(
    run.stdout,
  );
  expect(sent, run.stdout).not.toBeNull();
  const [envelopes, sessionItems, eventItems] = sent!.slice(1).map(Number) as [number, number, number];
  const report = JSON.parse(readFileSync(/^JSON report: +(.+)$/m.exec(run.stdout)![1]!, 'utf8'));
  expect(report.verdict.outcome).toBe('fail');
  expect(report.action.kind).toBe('dispatched');
  // Every session and user the gate counted, and every event of the issue, came from the SDK.
  const issue = report.newIssues.find((i: { title: string }) => i.title.startsWith('TypeError'));
  expect(issue.userCount).toBeGreaterThan(5);
  expect(issue.count).toBeLessThanOrEqual(eventItems);
  const last = report.polls.at(-1).sample;
  expect(last.sessions).toBeGreaterThan(0);
  // One simulated user per session, as the app plays them.
  expect(last.users).toBe(last.sessions);
  expect(last.crashedUsers).toBeGreaterThan(0);
  expect(last.sessions).toBeLessThanOrEqual(sessionItems);
  expect(envelopes).toBeGreaterThanOrEqual(last.sessions);
  // The database errors share one custom fingerprint: one issue, however their messages differ.
  expect(report.newIssues.filter((i: { title: string }) => i.title.startsWith('DatabaseError'))).toHaveLength(1);
  expect(existsSync(/^Job summary \(markdown\): (.+)$/m.exec(run.stdout)![1]!)).toBe(true);
  expect(run.durationMs).toBeLessThan(60_000);
}, 120_000);
