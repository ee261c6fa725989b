/**
 * Shared commander handling for the CLIs: parse without letting commander exit the
 * process, so each command returns its own exit code (0 for --help, 2 for a usage error).
 */
import type { Command, OptionValues } from "commander";

export type Parsed<T> = { opts: T } | { exitCode: number };

export function parseCli<T extends OptionValues>(program: Command, argv: string[]): Parsed<T> {
  program.exitOverride();
  try {
    return { opts: program.parse(argv, { from: "user" }).opts<T>() };
  } catch (err) {
    return { exitCode: (err as { exitCode?: number }).exitCode === 0 ? 0 : 2 };
  }
}
