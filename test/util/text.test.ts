import { describe, expect, it } from 'vitest';
import { releaseNameProblem } from '../../src/config/names';
import { logLine, logLines, oneLine, serverTime } from '../../src/util/text';

describe('logLine', () => {
  it('never starts a line with a workflow command, nor holds a legacy one', () => {
    for (const text of ['::error title=x::ROLL BACK', '  ::add-mask::x', ':\u0000:stop-commands::x', '\u2028::warning::x']) {
      expect(logLine(text).trimStart().startsWith('::')).toBe(false);
    }
    expect(logLine('ok ##[error]x')).not.toContain('##[');
  });

  it('holds no log command of the other CI systems the CLI runs in (Azure Pipelines, TeamCity)', () => {
    const line = logLine("x ##vso[task.prependpath]/tmp/evil ##VSO[task.setvariable variable=a]b ##teamcity[buildStatus status='SUCCESS']");
    expect(line).not.toMatch(/##\w*\[/);
    expect(line.replace(/\u200b/g, '')).toBe("x ##vso[task.prependpath]/tmp/evil ##VSO[task.setvariable variable=a]b ##teamcity[buildStatus status='SUCCESS']");
  });

  it('is one line without control characters, terminal escapes or bidi controls, and keeps leading spaces', () => {
    expect(logLine('a\nb\r\nc\u001b[31md\u202ee')).toBe('a b c[31mde');
    expect(logLine('          Commits: 3')).toBe('          Commits: 3');
  });

  it('drops every invisible character config refuses in a name (one list): zero-width, soft hyphen, word joiner, BOM', () => {
    for (const ch of ['\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\u2063', '\ufeff', '\u202e', '\u001b']) {
      const name = `shop-web@2.0.0${ch}-hotfix`;
      expect(releaseNameProblem(name), JSON.stringify(ch)).toMatch(/^contains control or invisible characters/);
      expect(logLine(name), JSON.stringify(ch)).toBe('shop-web@2.0.0-hotfix');
      expect(oneLine(name), JSON.stringify(ch)).toBe('shop-web@2.0.0-hotfix');
    }
  });

  it('logLines sanitizes each line of text that is multi-line by design', () => {
    expect(logLines('Crash-free users below 97%\n::error::x')).toBe('Crash-free users below 97%\n:\u200b:error::x');
  });
});

describe('serverTime', () => {
  it('re-prints a time it can read, in ISO 8601', () => {
    expect(serverTime('2026-11-26T10:00:00Z')).toBe('2026-11-26T10:00:00.000Z');
    expect(serverTime('Thu, 26 Nov 2026 10:00:00 GMT')).toBe('2026-11-26T10:00:00.000Z');
  });

  it('never echoes anything else', () => {
    expect(serverTime('2026-11-26T10:00:00Z\n::error::x')).toBe('an unreadable time');
    expect(serverTime(42)).toBe('an unreadable time');
    expect(serverTime(`2026-11-26T10:00:00Z${' '.repeat(100)}`)).toBe('an unreadable time');
  });
});
