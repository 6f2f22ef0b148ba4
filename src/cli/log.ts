import type { Log } from '../pipeline/log';
import { redact } from '../util/redact';
import { logLine } from '../util/text';

/**
 * Terminal output: colour and group headings on a TTY, plain lines otherwise
 * (CI logs). With --json the human lines go to stderr so stdout stays JSON.
 */
export function terminalLog(opts: { stream: NodeJS.WriteStream; secrets: string[] }): Log {
  const { stream, secrets } = opts;
  const tty = stream.isTTY === true && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
  // Messages may span lines by design (an alert); each line is redacted and
  // sanitized on its own, so server text can start none with a workflow command
  // or a terminal escape. Colour is added after.
  const write = (text: string, code?: string) => {
    for (const line of redact(text, secrets).split(/\r\n|\n|\r/)) stream.write(`${code ? paint(code, logLine(line)) : logLine(line)}\n`);
  };
  return {
    info: (m) => write(m),
    notice: (m) => write(`notice: ${m}`, '36'),
    warning: (m) => write(`warning: ${m}`, '33'),
    group: async (title, fn) => {
      write(`== ${title}`, '1');
      return fn();
    },
  };
}
