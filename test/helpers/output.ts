import type { Stream } from 'node:stream';

/** What a child process prints on one stream, kept as it arrives. */
export interface WatchedOutput {
  /** Everything printed so far. */
  text(): string;
  /**
   * Resolves with what `find` makes of the output once it finds something (it is asked again as each chunk
   * arrives), or rejects after `ms` with `failure` and everything printed so far.
   */
  until<T>(find: (text: string) => T | undefined, ms: number, failure: string): Promise<T>;
}

export function watchOutput(stream: Stream): WatchedOutput {
  let text = '';
  const waiters = new Set<() => void>();
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const check of [...waiters]) check();
  });
  return {
    text: () => text,
    until(find, ms, failure) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find(text);
          if (found === undefined) return;
          settle();
          resolve(found);
        };
        const timer = setTimeout(() => {
          settle();
          reject(new Error(`${failure}:\n${text}`));
        }, ms);
        const settle = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
