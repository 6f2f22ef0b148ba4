import type { Log } from '../pipeline/log';
import { redact } from '../util/redact';

/**
 * Terminal output: colour and group headings on a TTY, plain lines otherwise
 * (CI logs). With --json the human lines go to stderr so stdout stays JSON.
 */
export function terminalLog(opts: { stream: NodeJS.WriteStream; secrets: string[] }): Log {
  const { stream, secrets } = opts;
  const tty = stream.isTTY === true && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
  const write = (line: string) => stream.write(`${redact(line, secrets)}\n`);
  return {
    info: (m) => write(m),
    notice: (m) => write(paint('36', `notice: ${m}`)),
    warning: (m) => write(paint('33', `warning: ${m}`)),
    group: async (title, fn) => {
      write(paint('1', `== ${title}`));
      return fn();
    },
  };
}
