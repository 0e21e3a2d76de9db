import { CommanderError } from 'commander';
import { ConfigError } from './config-error';

/**
 * A program's settings from `parse`, or the end of the process: exit 0 after --help or
 * --version (commander has printed them), exit 2 for a setting that makes no sense, with a
 * message naming it on stderr, prefixed by `program`.
 */
export function configOrExit<T>(program: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
