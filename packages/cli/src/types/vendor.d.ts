/**
 * @file Types for the two untyped libraries the CLI uses (neither ships declarations and no
 * `@types` package is installed). Only what latentkit calls is declared, loosely: the CLI
 * reads parsed arguments through the typed helpers in lib/args.ts.
 */
declare module 'yargs' {
  /** A yargs parser (only the members latentkit calls). */
  export interface Argv {
    scriptName(name: string): Argv;
    usage(text: string): Argv;
    command(
      command: string | readonly string[],
      description: string,
      builder?: (y: Argv) => Argv,
      handler?: (argv: Record<string, unknown>) => void | Promise<void>,
    ): Argv;
    positional(name: string, options: Record<string, unknown>): Argv;
    option(name: string, options: Record<string, unknown>): Argv;
    options(options: Record<string, Record<string, unknown>>): Argv;
    example(command: string, description: string): Argv;
    epilogue(text: string): Argv;
    demandCommand(min?: number, message?: string): Argv;
    strict(enabled?: boolean): Argv;
    strictCommands(enabled?: boolean): Argv;
    help(enabled?: boolean | string): Argv;
    alias(key: string, alias: string): Argv;
    version(version?: string | false): Argv;
    wrap(columns: number | null): Argv;
    exitProcess(enabled: boolean): Argv;
    showHelpOnFail(enabled: boolean): Argv;
    fail(handler: (message: string | undefined, error: Error | undefined, y: Argv) => void): Argv;
    check(fn: (argv: Record<string, unknown>) => boolean | string): Argv;
    conflicts(a: string, b: string): Argv;
    middleware(fn: (argv: Record<string, unknown>) => void): Argv;
    parserConfiguration(config: Record<string, boolean>): Argv;
    parseAsync(args?: readonly string[]): Promise<Record<string, unknown>>;
    getHelp(): Promise<string>;
    terminalWidth(): number;
  }
  export default function yargs(args?: readonly string[]): Argv;
}

declare module 'yargs/helpers' {
  export function hideBin(argv: readonly string[]): string[];
}

declare module 'cli-progress' {
  export interface BarOptions {
    format?: string;
    stream?: NodeJS.WritableStream;
    barsize?: number;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    fps?: number;
    etaBuffer?: number;
    noTTYOutput?: boolean;
    barCompleteChar?: string;
    barIncompleteChar?: string;
    formatValue?: (value: number, options: unknown, type: string) => string;
  }
  export class SingleBar {
    constructor(options: BarOptions, preset?: unknown);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    increment(delta?: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  export const Presets: { shades_classic: unknown; shades_grey: unknown; legacy: unknown; rect: unknown };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
