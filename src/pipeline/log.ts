/** Where the pipeline writes progress: @actions/core in the action, the terminal in the CLI. */
export interface Log {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLog: Log = {
  info() {},
  notice() {},
  warning() {},
  group: (_title, fn) => fn(),
};
